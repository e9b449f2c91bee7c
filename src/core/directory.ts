import { sql, type Expression, type ExpressionBuilder, type SqlBool } from 'kysely';
import type { Db } from '../db/connection.ts';
import type { Database } from '../db/schema.ts';
import { ErrorCode, GatehouseError } from './errors.ts';
import type { User, UserUpdate, Users } from './users.ts';

/** Largest page a directory search returns, whatever the caller asks for. */
export const MAX_DIRECTORY_PAGE = 100;

export interface DirectorySearch {
  /** Matched as a case-insensitive prefix of the account handle, the email or the display name. */
  readonly query: string;
  readonly offset: number;
  readonly limit: number;
}

/** The fields a user may change about themselves that others can see. */
export interface PublicProfileChanges {
  readonly firstName?: string;
  readonly lastName?: string;
  readonly bio?: string | null;
  /** 'YYYY-MM-DD'. */
  readonly dob?: string | null;
  readonly phone?: string | null;
  readonly avatarPhotoId?: string | null;
  /** A handle, unique per project; stored lower-cased. */
  readonly account?: string;
}

/**
 * The user directory of a project: finding people by handle or by a prefix of their
 * handle, email or name, and letting them edit their public profile. Disabled accounts
 * (including deleted ones kept as anonymized records) are never listed.
 */
export class Directory {
  constructor(
    private readonly db: Db,
    private readonly users: Users,
  ) {}

  /** The active user with this handle (case-insensitive), or undefined. */
  async byAccount(projectId: string, account: string): Promise<User | undefined> {
    const user = await this.users.byAccount(projectId, account);
    return user?.is_active === true ? user : undefined;
  }

  async search(projectId: string, search: DirectorySearch): Promise<{ users: User[]; total: number }> {
    const limit = Math.min(Math.max(Math.trunc(search.limit), 0), MAX_DIRECTORY_PAGE);
    const offset = Math.max(Math.trunc(search.offset), 0);
    const pattern = `${escapeLike(search.query.trim().toLowerCase())}%`;
    const matches = (eb: ExpressionBuilder<Database, 'users'>): Expression<SqlBool> =>
      eb.and([
        eb('project_id', '=', projectId),
        eb('is_active', '=', true),
        eb.or([
          eb('account', 'like', pattern),
          eb('email_normalized', 'like', pattern),
          eb(sql<string>`lower(first_name || ' ' || last_name)`, 'like', pattern),
        ]),
      ]);
    const [users, count] = await Promise.all([
      limit === 0
        ? Promise.resolve([])
        : this.db
            .selectFrom('users')
            .selectAll()
            .where(matches)
            .orderBy('email_normalized')
            .orderBy('id')
            .offset(offset)
            .limit(limit)
            .execute(),
      this.db
        .selectFrom('users')
        .select((eb) => eb.fn.countAll<number>().as('total'))
        .where(matches)
        .executeTakeFirstOrThrow(),
    ]);
    return { users, total: Number(count.total) };
  }

  /** Applies the given changes only; a handle another user holds is AccountTaken. */
  async updateProfile(userId: string, changes: PublicProfileChanges): Promise<User> {
    const update: UserUpdate = {
      ...(changes.firstName !== undefined && { first_name: changes.firstName }),
      ...(changes.lastName !== undefined && { last_name: changes.lastName }),
      ...(changes.bio !== undefined && { bio: changes.bio }),
      ...(changes.dob !== undefined && { dob: changes.dob }),
      ...(changes.phone !== undefined && { phone: changes.phone }),
      ...(changes.avatarPhotoId !== undefined && { avatar_photo_id: changes.avatarPhotoId }),
      ...(changes.account !== undefined && { account: changes.account.toLowerCase() }),
    };
    if (changes.account !== undefined) {
      const user = await this.users.byId(userId);
      const holder = await this.users.byAccount(user.project_id, changes.account);
      if (holder !== undefined && holder.id !== userId) {
        throw new GatehouseError(ErrorCode.AccountTaken, 'Account name already taken', {
          fields: [{ field: 'account', message: 'Account name already taken' }],
        });
      }
    }
    return this.users.update(userId, update);
  }
}

/** Makes `%`, `_` and `\` match themselves in a LIKE pattern (PostgreSQL's default escape is `\`). */
function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (char) => `\\${char}`);
}
