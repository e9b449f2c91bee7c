import type { Selectable } from 'kysely';
import type { Db } from '../db/connection.ts';
import type { ApiKeysTable } from '../db/schema.ts';
import type { Principal } from './principal.ts';
import { ErrorCode, GatehouseError } from './errors.ts';
import { digest, newSecret } from './secrets.ts';

export type ApiKey = Selectable<ApiKeysTable>;

/** Every key starts with this, so secret scanners (and people) can tell a leaked one. */
export const API_KEY_PREFIX = 'ghk_';
/** Shown in masked forms: the prefix plus this many characters of the random part. */
const SHOWN_HEAD = API_KEY_PREFIX.length + 4;
/** A key's last use is written at most this often: authentication stays a read on the hot path. */
const LAST_USED_RESOLUTION_MS = 60_000;

export interface NewApiKey {
  readonly userId: string;
  readonly projectId: string;
  readonly name: string;
  /** null = everything the user may do. */
  readonly permissions?: readonly string[] | null;
  readonly expiresAt?: Date | null;
  /** true: becomes the primary key; undefined: primary only if the user has none. */
  readonly primary?: boolean;
}

/** A key just issued: the stored row, and the full key (shown once, never stored). */
export interface IssuedApiKey {
  readonly apiKey: ApiKey;
  readonly key: string;
}

const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

/**
 * Whether a presented credential is to be looked up as an API key rather than verified as an
 * access token: Gatehouse's own keys by their prefix, imported keys (any other prefix, e.g.
 * PixelMover's `pm_live_`) by not having a JWT's three dot-separated parts.
 */
export function isApiKey(candidate: string): boolean {
  return candidate.startsWith(API_KEY_PREFIX) || !JWT_SHAPE.test(candidate);
}

/** `ghk_abcd************************wxyz`: enough to recognize a key, useless to an attacker. */
export function maskedKey(key: Pick<ApiKey, 'prefix' | 'last_four'>): string {
  return `${key.prefix}${'*'.repeat(24)}${key.last_four}`;
}

/**
 * API keys: long-lived credentials of one user in one project. Only a SHA-256 digest is
 * stored, so a key is shown once, at creation. A user has at most one primary key (a partial
 * unique index guarantees it; changes take the user's row lock so concurrent switches queue).
 */
export class ApiKeys {
  constructor(private readonly db: Db) {}

  /** Creates a key; the full key is in the result and nowhere else. */
  async create(input: NewApiKey): Promise<IssuedApiKey> {
    const key = newSecret(API_KEY_PREFIX);
    const apiKey = await this.db.transaction().execute(async (trx) => {
      await lockUser(trx, input.userId);
      const current = await trx
        .selectFrom('api_keys')
        .select('id')
        .where('user_id', '=', input.userId)
        .where('is_primary', '=', true)
        .executeTakeFirst();
      const primary = input.primary ?? current === undefined;
      if (primary && current !== undefined)
        await trx.updateTable('api_keys').set({ is_primary: false }).where('id', '=', current.id).execute();
      return trx
        .insertInto('api_keys')
        .values({
          user_id: input.userId,
          project_id: input.projectId,
          name: input.name,
          ...keyColumns(key),
          is_primary: primary,
          permissions: input.permissions === undefined || input.permissions === null ? null : JSON.stringify(input.permissions),
          expires_at: input.expiresAt ?? null,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
    });
    return { apiKey, key };
  }

  /**
   * The first key of a user being created in the transaction `db`: primary, unrestricted. No
   * lock is needed, since no one else can see the user yet.
   */
  async createFirst(db: Db, input: Pick<NewApiKey, 'userId' | 'projectId' | 'name'>): Promise<IssuedApiKey> {
    const key = newSecret(API_KEY_PREFIX);
    const apiKey = await db
      .insertInto('api_keys')
      .values({
        ...keyColumns(key),
        user_id: input.userId,
        project_id: input.projectId,
        name: input.name,
        is_primary: true,
        permissions: null,
        expires_at: null,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return { apiKey, key };
  }

  /** The user's keys that are not revoked (expired ones included, flagged by expires_at), oldest first. */
  list(userId: string): Promise<ApiKey[]> {
    return this.db.selectFrom('api_keys').selectAll().where('user_id', '=', userId).where('revoked_at', 'is', null).orderBy('id').execute();
  }

  /** One of the user's unrevoked keys, or NotFound (also for another user's key). */
  async get(userId: string, id: number): Promise<ApiKey> {
    const key = await this.db
      .selectFrom('api_keys')
      .selectAll()
      .where('id', '=', id)
      .where('user_id', '=', userId)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    if (key === undefined) throw notFound(id);
    return key;
  }

  /**
   * Revokes a key for good. When it was the primary one, the newest remaining active key
   * takes over, so a user with keys keeps a primary.
   */
  async revoke(userId: string, id: number): Promise<ApiKey> {
    return this.db.transaction().execute(async (trx) => {
      await lockUser(trx, userId);
      const revoked = await trx
        .updateTable('api_keys')
        .set({ revoked_at: new Date(), is_active: false, is_primary: false })
        .where('id', '=', id)
        .where('user_id', '=', userId)
        .where('revoked_at', 'is', null)
        .returningAll()
        .executeTakeFirst();
      if (revoked === undefined) throw notFound(id);
      const hasPrimary = await trx
        .selectFrom('api_keys')
        .select('id')
        .where('user_id', '=', userId)
        .where('is_primary', '=', true)
        .executeTakeFirst();
      if (hasPrimary === undefined) {
        const next = await trx
          .selectFrom('api_keys')
          .select('id')
          .where('user_id', '=', userId)
          .where('revoked_at', 'is', null)
          .where('is_active', '=', true)
          .orderBy('id', 'desc')
          .executeTakeFirst();
        if (next !== undefined) await trx.updateTable('api_keys').set({ is_primary: true }).where('id', '=', next.id).execute();
      }
      return revoked;
    });
  }

  /** Makes one of the user's active keys the primary one, and no other. */
  async makePrimary(userId: string, id: number): Promise<ApiKey> {
    return this.db.transaction().execute(async (trx) => {
      // Every change to a user's keys takes the user's row first: two concurrent switches
      // run one after the other instead of racing on the unique index.
      await lockUser(trx, userId);
      const target = await trx
        .selectFrom('api_keys')
        .selectAll()
        .where('id', '=', id)
        .where('user_id', '=', userId)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      if (target === undefined) throw notFound(id);
      if (!target.is_active || (target.expires_at !== null && target.expires_at <= new Date())) {
        throw new GatehouseError(ErrorCode.Conflict, 'An inactive or expired key cannot be the primary key');
      }
      await trx
        .updateTable('api_keys')
        .set({ is_primary: false })
        .where('user_id', '=', userId)
        .where('is_primary', '=', true)
        .where('id', '!=', id)
        .execute();
      return trx.updateTable('api_keys').set({ is_primary: true }).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
    });
  }

  /**
   * The principal a presented key stands for. The key is found by its digest (an index
   * lookup on a hash, so no secret is compared byte by byte); expired, inactive and revoked
   * keys, and keys of disabled users or users awaiting deletion, are refused alike.
   */
  async authenticate(presented: string): Promise<Principal> {
    if (!isApiKey(presented) || presented.length > 256) throw unauthenticated();
    const row = await this.db
      .selectFrom('api_keys')
      .innerJoin('users', 'users.id', 'api_keys.user_id')
      .select([
        'api_keys.id',
        'api_keys.user_id',
        'api_keys.project_id',
        'api_keys.is_active',
        'api_keys.expires_at',
        'api_keys.revoked_at',
        'api_keys.last_used_at',
        'api_keys.permissions',
        'users.is_active as user_active',
        'users.deletion_scheduled_at',
      ])
      .where('api_keys.key_hash', '=', digest(presented))
      .executeTakeFirst();
    const now = new Date();
    if (
      row === undefined ||
      !row.is_active ||
      row.revoked_at !== null ||
      (row.expires_at !== null && row.expires_at <= now) ||
      !row.user_active ||
      row.deletion_scheduled_at !== null
    ) {
      throw unauthenticated();
    }
    if (row.last_used_at === null || now.getTime() - row.last_used_at.getTime() >= LAST_USED_RESOLUTION_MS) {
      await this.db.updateTable('api_keys').set({ last_used_at: now }).where('id', '=', row.id).execute();
    }
    return {
      userId: row.user_id,
      projectId: row.project_id,
      sessionId: null,
      clientId: null,
      via: 'api_key',
      apiKeyId: row.id,
      restricted: row.permissions !== null,
    };
  }
}

/** What is stored of a key: its digest and the parts shown in masked form. */
function keyColumns(key: string): { prefix: string; last_four: string; key_hash: ReturnType<typeof digest> } {
  return { prefix: key.slice(0, SHOWN_HEAD), last_four: key.slice(-4), key_hash: digest(key) };
}

async function lockUser(trx: Db, userId: string): Promise<void> {
  const locked = await trx.selectFrom('users').select('id').where('id', '=', userId).forUpdate().executeTakeFirst();
  if (locked === undefined) throw new GatehouseError(ErrorCode.NotFound, 'User not found');
}

function notFound(id: number): GatehouseError {
  return new GatehouseError(ErrorCode.NotFound, 'API key not found', { data: { model: 'ApiKey', id } });
}

function unauthenticated(): GatehouseError {
  return new GatehouseError(ErrorCode.Unauthenticated, 'Invalid API key');
}
