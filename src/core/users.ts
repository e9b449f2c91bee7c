import { randomUUID } from 'node:crypto';
import { sql, type Selectable, type Updateable } from 'kysely';
import type { Db } from '../db/connection.ts';
import { runHot, type HotStatement } from '../db/hot-statements.ts';
import type { ProfilesTable, UsersTable } from '../db/schema.ts';
import { ErrorCode, GatehouseError, isUniqueViolation } from './errors.ts';
import { READ_CACHE_TTL_MS, TtlCache } from './ttl-cache.ts';
import type { ProfileType } from './projects.ts';

export type User = Selectable<UsersTable>;
export type Profile = Selectable<ProfilesTable>;

export interface NewUser {
  readonly projectId: string;
  readonly email: string;
  readonly passwordHash: string;
  readonly firstName?: string;
  readonly lastName?: string;
  readonly profileType?: ProfileType;
  readonly account?: string | null;
  readonly company?: string | null;
  readonly timezone?: string | null;
  readonly plan?: string;
  readonly credits?: number;
  readonly planExpiresAt?: Date | null;
  readonly emailVerified?: boolean;
  /** 'user' unless said (operators of the system project: 'admin' or 'support'). */
  readonly role?: string;
}

/** A search over users (admin API and console): one project or all, a query, keyset paging. */
export interface UserSearch {
  readonly projectId?: string | undefined;
  /** An id or PixelMover number matches exactly; other text is a case-insensitive prefix of email, account or name. */
  readonly query?: string | undefined;
  /** Continue after this (email_normalized, id), the last row of the previous page. */
  readonly after?: { readonly email: string; readonly id: string } | undefined;
  readonly limit: number;
}

/** A user as a password sign-in finds it (Users.forSignIn). */
export interface SignInRecord {
  readonly user: User;
  readonly profile: Profile;
  readonly mfaEnrolled: boolean;
}

/** Emails are unique per project regardless of case; the address is kept as typed. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

export type UserUpdate = Pick<
  Updateable<UsersTable>,
  | 'first_name'
  | 'last_name'
  | 'company'
  | 'timezone'
  | 'bio'
  | 'dob'
  | 'phone'
  | 'avatar_photo_id'
  | 'account'
  | 'email_verified'
  | 'is_active'
  | 'plan'
  | 'credits'
  | 'plan_expires_at'
  | 'deletion_scheduled_at'
  | 'deletion_wipe'
  | 'last_login_at'
  | 'password_hash'
>;

export class Users {
  private readonly recentUsers = new TtlCache<User>(READ_CACHE_TTL_MS);
  private readonly recentProfiles = new TtlCache<Profile>(READ_CACHE_TTL_MS);

  /**
   * `onDeactivated` runs after a user is set inactive: the core revokes all of the user's sessions
   * there, since bearer and cookie checks look at the session, not the user (a disabled user's
   * tokens kept working until they expired; found by the hardening campaign).
   */
  constructor(
    private readonly db: Db,
    private readonly onDeactivated: (userId: string) => Promise<void> = async () => undefined,
  ) {}

  /** Inserts the user and its profile atomically; a duplicate email or account is a clean error. */
  async create(input: NewUser, db: Db = this.db): Promise<{ user: User; profile: Profile }> {
    const id = randomUUID();
    try {
      // One statement (data-modifying CTEs) instead of a four-statement transaction, as atomic.
      const [row] = await runHot<User & ProfileColumns>(db, CREATE, [
        id,
        input.projectId,
        input.email.trim(),
        normalizeEmail(input.email),
        input.account ?? null,
        input.passwordHash,
        input.firstName ?? '',
        input.lastName ?? '',
        input.company ?? null,
        input.timezone ?? 'UTC',
        input.plan ?? 'trial',
        input.credits ?? 0,
        input.planExpiresAt ?? null,
        input.emailVerified ?? false,
        randomUUID(),
        randomUUID(),
        input.profileType ?? 'Patient',
        input.role ?? null,
      ]);
      if (row === undefined) throw new Error('registration inserted no row');
      const created = splitProfile(row);
      this.recentUsers.set(id, created.user);
      this.recentProfiles.set(id, created.profile);
      return created;
    } catch (error) {
      if (isUniqueViolation(error, 'users_project_email')) {
        throw new GatehouseError(ErrorCode.EmailTaken, 'Email already registered', {
          fields: [{ field: 'email', message: 'Email already registered' }],
        });
      }
      if (isUniqueViolation(error, 'users_project_account')) {
        throw new GatehouseError(ErrorCode.AccountTaken, 'Account name already taken', {
          fields: [{ field: 'account', message: 'Account name already taken' }],
        });
      }
      throw error;
    }
  }

  /** Runs `work` in one transaction (for a user created together with other rows). */
  transaction<T>(work: (db: Db) => Promise<T>): Promise<T> {
    return this.db.transaction().execute(work);
  }

  /** Which of an email and an account handle is already used in the project (email first), in one query. */
  async taken(projectId: string, email: string, account?: string): Promise<'email' | 'account' | undefined> {
    const rows = await this.db
      .selectFrom('users')
      .select((eb) => eb('email_normalized', '=', normalizeEmail(email)).as('email_match'))
      .where('project_id', '=', projectId)
      .where((eb) => {
        const byEmail = eb('email_normalized', '=', normalizeEmail(email));
        return account === undefined ? byEmail : eb.or([byEmail, eb('account', '=', account)]);
      })
      .limit(2)
      .execute();
    if (rows.some((row) => row.email_match === true)) return 'email';
    return rows.length > 0 ? 'account' : undefined;
  }

  byEmail(projectId: string, email: string): Promise<User | undefined> {
    return this.db
      .selectFrom('users')
      .selectAll()
      .where('project_id', '=', projectId)
      .where('email_normalized', '=', normalizeEmail(email))
      .executeTakeFirst();
  }

  /**
   * Everything a password sign-in needs, in one statement: the user, its profile and whether it
   * has a confirmed second factor. Undefined for an unknown email.
   */
  async forSignIn(projectId: string, email: string): Promise<SignInRecord | undefined> {
    const [row] = await runHot<User & ProfileColumns & { mfa_enrolled: boolean }>(this.db, FOR_SIGN_IN, [projectId, normalizeEmail(email)]);
    if (row === undefined) return undefined;
    const { mfa_enrolled: mfaEnrolled, ...joined } = row;
    return { ...splitProfile(joined), mfaEnrolled: mfaEnrolled === true };
  }

  byAccount(projectId: string, account: string): Promise<User | undefined> {
    return this.db
      .selectFrom('users')
      .selectAll()
      .where('project_id', '=', projectId)
      .where('account', '=', account.toLowerCase())
      .executeTakeFirst();
  }

  /**
   * The user and profile as read moments ago, for "me" endpoints on the hot path. Changes made
   * through this class are visible at once here; other instances see them within READ_CACHE_TTL_MS.
   */
  cachedById(id: string): Promise<User> {
    return this.recentUsers.load(id, () => this.byId(id));
  }

  cachedProfileOf(userId: string): Promise<Profile> {
    return this.recentProfiles.load(userId, () => this.profileOf(userId));
  }

  /** Drops a user from the read cache (after a change made outside this class). */
  forget(id: string): void {
    this.recentUsers.delete(id);
    this.recentProfiles.delete(id);
  }

  async byId(id: string): Promise<User> {
    const user = await this.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
    if (user === undefined) throw new GatehouseError(ErrorCode.NotFound, 'User not found');
    return user;
  }

  async profileOf(userId: string): Promise<Profile> {
    const profile = await this.db.selectFrom('profiles').selectAll().where('user_id', '=', userId).executeTakeFirst();
    if (profile === undefined) throw new GatehouseError(ErrorCode.NotFound, 'Profile not found');
    return profile;
  }

  async update(id: string, changes: UserUpdate): Promise<User> {
    this.forget(id);
    try {
      const user = await this.db
        .updateTable('users')
        .set({ ...changes, updated_at: new Date() })
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirst();
      if (user === undefined) throw new GatehouseError(ErrorCode.NotFound, 'User not found');
      if (changes.first_name !== undefined || changes.last_name !== undefined) {
        await this.db
          .updateTable('profiles')
          .set({ given_name: user.first_name, family_name: user.last_name, updated_at: new Date() })
          .where('user_id', '=', id)
          .execute();
      }
      if (changes.is_active === false) await this.onDeactivated(id);
      return user;
    } catch (error) {
      if (isUniqueViolation(error, 'users_project_account')) {
        throw new GatehouseError(ErrorCode.AccountTaken, 'Account name already taken', {
          fields: [{ field: 'account', message: 'Account name already taken' }],
        });
      }
      throw error;
    }
  }

  /** Users matching a search, in (email, id) order. Each branch of the query has an index (migration 013). */
  search(search: UserSearch): Promise<User[]> {
    const query = search.query?.trim() ?? '';
    let select = this.db.selectFrom('users').selectAll();
    if (search.projectId !== undefined) select = select.where('project_id', '=', search.projectId);
    if (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(query)) {
      select = select.where('id', '=', query.toLowerCase());
    } else if (/^\d{1,15}$/.test(query)) {
      select = select.where('number', '=', Number(query));
    } else if (query !== '') {
      const prefix = `${query.toLowerCase().replace(/[\\%_]/g, (char) => `\\${char}`)}%`;
      select = select.where((eb) =>
        eb.or([
          eb('email_normalized', 'like', prefix),
          eb('account', 'like', prefix),
          eb(sql<string>`lower(first_name || ' ' || last_name)`, 'like', prefix),
        ]),
      );
    }
    const after = search.after;
    if (after !== undefined)
      select = select.where((eb) =>
        eb.or([eb('email_normalized', '>', after.email), eb.and([eb('email_normalized', '=', after.email), eb('id', '>', after.id)])]),
      );
    return select.orderBy('email_normalized').orderBy('id').limit(search.limit).execute();
  }

  /** Removes the user and, by cascade, its profile, sessions and tokens. */
  async remove(id: string): Promise<void> {
    this.forget(id);
    await this.db.deleteFrom('users').where('id', '=', id).execute();
  }
}

/** A profile's columns, prefixed `profile_`, selected next to its user's (see splitProfile). */
function profileColumns(table: string): string {
  return ['id', 'membership_id', 'resource_type', 'given_name', 'family_name', 'created_at', 'updated_at']
    .map((column) => `${table}.${column} AS profile_${column}`)
    .join(', ');
}

// The two statements every sign-in and sign-up runs, written out (src/db/hot-statements.ts).
const FOR_SIGN_IN: HotStatement = {
  name: 'gh_users_for_sign_in',
  text: `SELECT users.*, ${profileColumns('profiles')},
      EXISTS (SELECT 1 FROM mfa_factors WHERE mfa_factors.user_id = users.id AND mfa_factors.confirmed_at IS NOT NULL) AS mfa_enrolled
    FROM users INNER JOIN profiles ON profiles.user_id = users.id
    WHERE users.project_id = $1 AND users.email_normalized = $2`,
};

const CREATE: HotStatement = {
  name: 'gh_users_create',
  text: `WITH new_user AS (
      INSERT INTO users (id, project_id, email, email_normalized, account, password_hash, first_name, last_name, company, timezone, plan, credits, plan_expires_at, email_verified, role)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, COALESCE($18::text, 'user'))
      RETURNING *
    ), new_profile AS (
      INSERT INTO profiles (id, membership_id, user_id, project_id, resource_type, given_name, family_name)
      VALUES ($15, $16, $1, $2, $17, $7, $8)
      RETURNING *
    )
    SELECT new_user.*, ${profileColumns('new_profile')} FROM new_user INNER JOIN new_profile ON new_profile.user_id = new_user.id`,
};

interface ProfileColumns {
  readonly profile_id: string;
  readonly profile_membership_id: string;
  readonly profile_resource_type: string;
  readonly profile_given_name: string;
  readonly profile_family_name: string;
  readonly profile_created_at: Date;
  readonly profile_updated_at: Date;
}

/** A user row joined with its profile's prefixed columns, taken apart. */
function splitProfile(row: User & ProfileColumns): { user: User; profile: Profile } {
  const {
    profile_id: id,
    profile_membership_id: membershipId,
    profile_resource_type: resourceType,
    profile_given_name: givenName,
    profile_family_name: familyName,
    profile_created_at: createdAt,
    profile_updated_at: updatedAt,
    ...user
  } = row;
  return {
    user,
    profile: {
      id,
      membership_id: membershipId,
      user_id: user.id,
      project_id: user.project_id,
      resource_type: resourceType,
      given_name: givenName,
      family_name: familyName,
      created_at: createdAt,
      updated_at: updatedAt,
    },
  };
}

export function profileReference(profile: Profile): string {
  return `${profile.resource_type}/${profile.id}`;
}

export function displayName(user: Pick<User, 'first_name' | 'last_name' | 'email'>): string {
  const name = `${user.first_name} ${user.last_name}`.trim();
  return name === '' ? user.email : name;
}
