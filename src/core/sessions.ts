import { randomUUID } from 'node:crypto';
import type { Selectable } from 'kysely';
import type { Db } from '../db/connection.ts';
import { runHot, type HotStatement } from '../db/hot-statements.ts';
import type { SessionsTable } from '../db/schema.ts';
import { ErrorCode, GatehouseError } from './errors.ts';
import { MAX_ACCESS_TOKEN_TTL_SECONDS } from './keys.ts';
import type { RevocationStore } from './revocations.ts';
import { digest, newSecret } from './secrets.ts';
import { READ_CACHE_TTL_MS, TtlCache } from './ttl-cache.ts';

export type Session = Selectable<SessionsTable>;

export interface SessionContext {
  readonly remoteAddress?: string | undefined;
  readonly userAgent?: string | undefined;
}

export interface NewSession extends SessionContext {
  readonly projectId: string;
  readonly userId: string;
  readonly clientId: string | null;
  /** 'sso': a browser session of the hosted sign-in pages (OpenID provider), per project. */
  readonly kind: 'token' | 'cookie' | 'sso';
  /** Chosen by the caller when something must name the session before it exists (an authorization code). */
  readonly id?: string;
  /** The browser session an OAuth token session was started from, and the scopes it was granted. */
  readonly parentId?: string;
  readonly scope?: string;
  readonly authMethod?: string;
  readonly remember?: boolean;
  readonly ttlSeconds: number;
  /**
   * The session is a sign-in: the same statement records the user's last login at this time
   * and, with `cancelDeletion`, calls off a scheduled account deletion.
   */
  readonly signIn?: { readonly at: Date; readonly cancelDeletion: boolean };
}

export const REFRESH_PREFIX = 'ghr_';
export const COOKIE_PREFIX = 'ghs_';

/**
 * Sessions (Medplum's Login): one per sign-in, holding its refresh tokens or cookie secret.
 * Revoking a session kills its refresh tokens and, through the revocation store, every
 * access token already issued for it.
 */
export class Sessions {
  /** Active-session lists for "me" endpoints; forgotten on every change this class makes. */
  private readonly recentLists = new TtlCache<Session[]>(READ_CACHE_TTL_MS);

  constructor(
    private readonly db: Db,
    private readonly revocations: RevocationStore,
    private readonly graceSeconds: number,
  ) {}

  /** Creates a session; token sessions get their first refresh token, cookie sessions a secret. */
  async create(input: NewSession, db: Db = this.db): Promise<{ session: Session; secret: string }> {
    const id = input.id ?? randomUUID();
    const expiresAt = new Date(Date.now() + input.ttlSeconds * 1000);
    const secret = newSecret(input.kind === 'token' ? REFRESH_PREFIX : COOKIE_PREFIX);
    // One statement (data-modifying CTEs) instead of a transaction of up to five: just as atomic,
    // and every sign-in pays for it. The foreign key is checked at the end of the statement.
    const at = input.signIn?.at ?? new Date();
    const [session] = await runHot<Session>(db, CREATE, [
      id,
      input.projectId,
      input.userId,
      input.clientId,
      input.kind,
      input.authMethod ?? 'password',
      input.remoteAddress ?? null,
      input.userAgent?.slice(0, 512) ?? null,
      input.remember ?? false,
      input.kind === 'token' ? null : digest(secret),
      expiresAt,
      input.kind === 'token',
      randomUUID(),
      input.kind === 'token' ? digest(secret) : null,
      input.signIn !== undefined,
      at,
      input.signIn?.cancelDeletion === true,
      input.parentId ?? null,
      input.scope ?? null,
    ]);
    if (session === undefined) throw new Error('session insert returned no row');
    this.recentLists.delete(input.userId);
    return { session, secret };
  }

  /**
   * Trades a refresh token for a new one. A token already used is a replay and ends the
   * session, unless it was used within the grace window (a network retry, a second tab):
   * then the caller gets a sibling token and the session lives on. With `projectId`, a token of
   * another project is refused as unknown and left untouched.
   */
  async rotate(
    refreshToken: string,
    context: SessionContext,
    projectId?: string,
    clientId?: string,
  ): Promise<{ session: Session; secret: string }> {
    if (!refreshToken.startsWith(REFRESH_PREFIX)) throw invalidRefresh();
    const result = await this.db.transaction().execute(async (trx) => {
      // The token and its session, both locked: concurrent uses of one token queue here.
      const found = await trx
        .selectFrom('refresh_tokens')
        .innerJoin('sessions', 'sessions.id', 'refresh_tokens.session_id')
        .selectAll('sessions')
        .select([
          'refresh_tokens.id as token_id',
          'refresh_tokens.used_at as token_used_at',
          'refresh_tokens.expires_at as token_expires_at',
        ])
        .where('refresh_tokens.token_hash', '=', digest(refreshToken))
        .forUpdate()
        .executeTakeFirst();
      if (found === undefined) return { outcome: 'unknown' as const };
      const { token_id: tokenId, token_used_at: usedAt, token_expires_at: tokenExpiresAt, ...session } = found;
      const now = new Date();
      if (session.revoked_at !== null || session.expires_at <= now || tokenExpiresAt <= now) return { outcome: 'unknown' as const };
      // A contract bound to one project refuses another project's token before it is spent or judged a replay.
      if (projectId !== undefined && session.project_id !== projectId) return { outcome: 'unknown' as const };
      // Likewise an OAuth client presenting another client's token (RFC 6749 §6).
      if (clientId !== undefined && session.client_id !== clientId) return { outcome: 'unknown' as const };
      if (usedAt !== null && now.getTime() - usedAt.getTime() > this.graceSeconds * 1000) return { outcome: 'replay' as const, session };
      const secret = newSecret(REFRESH_PREFIX);
      // One statement: spend the token (a retry within the grace window finds it spent already),
      // issue its successor, and mark the session used.
      const updated = await trx
        .with('spent', (db) =>
          db.updateTable('refresh_tokens').set({ used_at: now }).where('id', '=', tokenId).where('used_at', 'is', null),
        )
        .with('successor', (db) =>
          db.insertInto('refresh_tokens').values({
            id: randomUUID(),
            session_id: session.id,
            token_hash: digest(secret),
            parent_id: tokenId,
            expires_at: session.expires_at,
          }),
        )
        .updateTable('sessions')
        .set({
          last_used_at: now,
          ...(context.remoteAddress !== undefined && { remote_address: context.remoteAddress }),
          ...(context.userAgent !== undefined && { user_agent: context.userAgent.slice(0, 512) }),
        })
        .where('id', '=', session.id)
        .returningAll()
        .executeTakeFirstOrThrow();
      return { outcome: 'rotated' as const, session: updated, secret };
    });
    if (result.outcome === 'rotated') {
      this.recentLists.delete(result.session.user_id);
      return { session: result.session, secret: result.secret };
    }
    if (result.outcome === 'replay') {
      await this.revoke([result.session.id], 'refresh_token_replayed');
      throw new GatehouseError(ErrorCode.InvalidRefreshToken, 'Refresh token was already used; session revoked', {
        data: { replay: true, sessionId: result.session.id, userId: result.session.user_id },
      });
    }
    throw invalidRefresh();
  }

  /** The live cookie session a secret names, or Unauthenticated; `kind` keeps browser (SSO) and API cookies apart. */
  async byCookie(secret: string, kind: 'cookie' | 'sso' = 'cookie'): Promise<Session> {
    if (!secret.startsWith(COOKIE_PREFIX)) throw unauthenticated();
    const session = await this.db
      .selectFrom('sessions')
      .selectAll()
      .where('secret_hash', '=', digest(secret))
      .where('kind', '=', kind)
      .executeTakeFirst();
    if (session === undefined || session.revoked_at !== null || session.expires_at <= new Date()) throw unauthenticated();
    return session;
  }

  /** The session of a refresh token and whether the token is still usable, without spending it (revocation, introspection). */
  async byRefreshToken(refreshToken: string): Promise<{ session: Session; usable: boolean } | undefined> {
    if (!refreshToken.startsWith(REFRESH_PREFIX)) return undefined;
    const found = await this.db
      .selectFrom('refresh_tokens')
      .innerJoin('sessions', 'sessions.id', 'refresh_tokens.session_id')
      .selectAll('sessions')
      .select(['refresh_tokens.used_at as token_used_at', 'refresh_tokens.expires_at as token_expires_at'])
      .where('refresh_tokens.token_hash', '=', digest(refreshToken))
      .executeTakeFirst();
    if (found === undefined) return undefined;
    const { token_used_at: usedAt, token_expires_at: expiresAt, ...session } = found;
    const now = new Date();
    return { session, usable: usedAt === null && expiresAt > now && session.revoked_at === null && session.expires_at > now };
  }

  async isLive(sessionId: string): Promise<boolean> {
    return !(await this.revocations.isRevoked(sessionId));
  }

  get(sessionId: string, db: Db = this.db): Promise<Session | undefined> {
    return db.selectFrom('sessions').selectAll().where('id', '=', sessionId).executeTakeFirst();
  }

  /** listActive as read moments ago (see READ_CACHE_TTL_MS), for the hot "me" endpoints. */
  cachedListActive(userId: string): Promise<Session[]> {
    return this.recentLists.load(userId, () => this.listActive(userId));
  }

  /** Sessions still usable: not revoked and not expired, newest first. */
  listActive(userId: string): Promise<Session[]> {
    return this.db
      .selectFrom('sessions')
      .selectAll()
      .where('user_id', '=', userId)
      .where('revoked_at', 'is', null)
      .where('expires_at', '>', new Date())
      .orderBy('last_used_at', 'desc')
      .orderBy('id')
      .execute();
  }

  async revoke(sessionIds: readonly string[], reason: string): Promise<string[]> {
    if (sessionIds.length === 0) return [];
    const revoked = await this.db
      .updateTable('sessions')
      .set({ revoked_at: new Date(), revoked_reason: reason })
      .where('id', 'in', [...sessionIds])
      .where('revoked_at', 'is', null)
      .returning(['id', 'user_id'])
      .execute();
    for (const row of revoked) this.recentLists.delete(row.user_id);
    // Even a session already revoked is re-announced: cheap, and it heals a missed broadcast.
    await this.revocations.revoke(sessionIds, new Date(Date.now() + MAX_ACCESS_TOKEN_TTL_SECONDS * 1000));
    return revoked.map((row) => row.id);
  }

  async revokeAllOf(userId: string, reason: string, exceptSessionId?: string): Promise<string[]> {
    let query = this.db.selectFrom('sessions').select('id').where('user_id', '=', userId).where('revoked_at', 'is', null);
    if (exceptSessionId !== undefined) query = query.where('id', '!=', exceptSessionId);
    const ids = (await query.execute()).map((row) => row.id);
    return this.revoke(ids, reason);
  }

  async touch(sessionId: string): Promise<void> {
    await this.db.updateTable('sessions').set({ last_used_at: new Date() }).where('id', '=', sessionId).execute();
  }
}

/**
 * A new session; for a token session its first refresh token ($12); for a sign-in ($15) the
 * user's last login, and with $17 the end of a scheduled deletion. One text for every case, so
 * one prepared statement (src/db/hot-statements.ts).
 */
const CREATE: HotStatement = {
  name: 'gh_sessions_create',
  text: `WITH session AS (
      INSERT INTO sessions (id, project_id, user_id, client_id, kind, auth_method, remote_address, user_agent, remember, secret_hash, expires_at, parent_id, scope)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $18, $19)
      RETURNING *
    ), refresh AS (
      INSERT INTO refresh_tokens (id, session_id, token_hash, expires_at)
      SELECT $13::uuid, $1, $14::bytea, $11 WHERE $12::boolean
    ), sign_in AS (
      UPDATE users SET last_login_at = $16, updated_at = $16,
        deletion_scheduled_at = CASE WHEN $17::boolean THEN NULL ELSE deletion_scheduled_at END
      WHERE id = $3 AND $15::boolean
    )
    SELECT * FROM session`,
};

function invalidRefresh(): GatehouseError {
  return new GatehouseError(ErrorCode.InvalidRefreshToken, 'Invalid refresh token');
}

function unauthenticated(): GatehouseError {
  return new GatehouseError(ErrorCode.Unauthenticated, 'Not authenticated');
}
