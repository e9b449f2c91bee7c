import { createHash, randomUUID } from 'node:crypto';
import type { Selectable } from 'kysely';
import type { Db } from '../../db/connection.ts';
import type { OAuthCodesTable } from '../../db/schema.ts';
import { ErrorCode, GatehouseError } from '../errors.ts';
import { digest, newSecret } from '../secrets.ts';
import type { Clock } from './clock.ts';

export const CODE_PREFIX = 'ghc_';
/** RFC 6749 §4.1.2 recommends at most 10 minutes; a redirect and a token request take seconds. */
export const CODE_TTL_SECONDS = 60;

export type AuthorizationCode = Selectable<OAuthCodesTable>;

export interface NewCode {
  readonly clientId: string;
  readonly projectId: string;
  readonly userId: string;
  readonly browserSessionId: string;
  readonly redirectUri: string;
  readonly codeChallenge: string | undefined;
  readonly nonce: string | undefined;
  readonly scope: string;
  readonly authTime: Date;
  readonly amr: readonly string[];
}

/** What the token request presents with a code. */
export interface CodeRedemption {
  readonly code: string;
  readonly clientId: string;
  readonly redirectUri: string | undefined;
  readonly codeVerifier: string | undefined;
}

const VERIFIER = /^[A-Za-z0-9._~-]{43,128}$/;

function invalidGrant(message: string, data?: Record<string, unknown>): GatehouseError {
  return new GatehouseError(ErrorCode.InvalidGrant, message, data === undefined ? {} : { data });
}

/** RFC 7636 S256: BASE64URL(SHA256(ASCII(code_verifier))). */
export function s256(verifier: string): string {
  return createHash('sha256').update(verifier, 'ascii').digest('base64url');
}

/**
 * Authorization codes: 60 seconds, single use, only a SHA-256 stored, bound to the client, the
 * redirect URI, the PKCE challenge, the nonce, the scope and the sign-in (auth_time, amr).
 */
export class AuthorizationCodes {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  async issue(input: NewCode): Promise<string> {
    const code = newSecret(CODE_PREFIX);
    const now = this.clock();
    await this.db
      .insertInto('oauth_codes')
      .values({
        id: randomUUID(),
        code_hash: digest(code),
        client_id: input.clientId,
        project_id: input.projectId,
        user_id: input.userId,
        browser_session_id: input.browserSessionId,
        redirect_uri: input.redirectUri,
        code_challenge: input.codeChallenge ?? null,
        nonce: input.nonce ?? null,
        scope: input.scope,
        auth_time: input.authTime,
        amr: [...input.amr],
        created_at: now,
        expires_at: new Date(now.getTime() + CODE_TTL_SECONDS * 1000),
      })
      .execute();
    // Codes expired long ago are swept on the way (cheap, indexed); a spent code is kept until
    // then so that its replay is still recognized.
    await this.db
      .deleteFrom('oauth_codes')
      .where('expires_at', '<', new Date(now.getTime() - 3600_000))
      .execute();
    return code;
  }

  /**
   * Spends a code and, in the same transaction, lets `start` create the token session (with the
   * id given, recorded on the code before it exists, so a concurrent replay waits on the row lock
   * and then finds a session to revoke). The checks run in an order that keeps the destructive
   * part for the rightful client: a code of another client is refused untouched; a replay by its
   * own client is refused with `data.revoke`, the session the first use started.
   */
  async redeem<T>(
    input: CodeRedemption,
    start: (db: Db, code: AuthorizationCode, sessionId: string) => Promise<T>,
  ): Promise<{ code: AuthorizationCode; started: T }> {
    if (!input.code.startsWith(CODE_PREFIX)) throw invalidGrant('Invalid authorization code');
    return this.db.transaction().execute(async (trx) => {
      const found = await trx
        .selectFrom('oauth_codes')
        .selectAll()
        .where('code_hash', '=', digest(input.code))
        .forUpdate()
        .executeTakeFirst();
      const code = this.check(found, input);
      const sessionId = randomUUID();
      await trx.updateTable('oauth_codes').set({ used_at: this.clock(), issued_session_id: sessionId }).where('id', '=', code.id).execute();
      return { code, started: await start(trx, code, sessionId) };
    });
  }

  private check(found: AuthorizationCode | undefined, input: CodeRedemption): AuthorizationCode {
    const now = this.clock();
    if (found === undefined) throw invalidGrant('Invalid authorization code');
    if (found.client_id !== input.clientId) throw invalidGrant('The authorization code was issued to another client');
    if (found.used_at !== null) {
      throw invalidGrant('The authorization code was already used', {
        revoke: found.issued_session_id,
        userId: found.user_id,
        projectId: found.project_id,
      });
    }
    if (found.expires_at <= now) throw invalidGrant('The authorization code expired');
    if (input.redirectUri !== found.redirect_uri) throw invalidGrant('redirect_uri does not match the authorization request');
    if (found.code_challenge !== null) {
      if (input.codeVerifier === undefined) throw invalidGrant('code_verifier is required');
      if (!VERIFIER.test(input.codeVerifier) || s256(input.codeVerifier) !== found.code_challenge)
        throw invalidGrant('code_verifier does not match the code challenge');
    } else if (input.codeVerifier !== undefined) {
      // RFC 9700 §4.8.2: a verifier for a request that had no challenge is a PKCE downgrade attempt.
      throw invalidGrant('code_verifier given for an authorization request without code_challenge');
    }
    return found;
  }
}
