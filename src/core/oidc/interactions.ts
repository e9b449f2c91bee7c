import { randomUUID } from 'node:crypto';
import type { Db } from '../../db/connection.ts';
import { digest } from '../secrets.ts';
import type { AuthorizationParams } from './authorization-request.ts';
import type { Clock } from './clock.ts';

/** Long enough to sign up, read the verification email, or fetch a phone for the code. */
const INTERACTION_TTL_MS = 30 * 60_000;

export interface Interaction {
  readonly id: string;
  readonly clientId: string;
  readonly params: AuthorizationParams;
  /** The browser session the user signed in to during this interaction, if they did. */
  readonly browserSessionId: string | null;
}

/**
 * Authorization requests waiting for the user (sign-in, second factor, consent), stored with
 * their validated parameters. Each is bound to the browser that made it: only a request carrying
 * the same browser cookie can continue or finish it.
 */
export class Interactions {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  async create(params: AuthorizationParams, browser: string): Promise<Interaction> {
    const id = randomUUID();
    const now = this.clock();
    await this.db
      .insertInto('oauth_interactions')
      .values({
        id,
        browser_hash: digest(browser),
        client_id: params.clientId,
        params: JSON.stringify(params),
        created_at: now,
        expires_at: new Date(now.getTime() + INTERACTION_TTL_MS),
      })
      .execute();
    await this.db.deleteFrom('oauth_interactions').where('expires_at', '<', now).execute();
    return { id, clientId: params.clientId, params, browserSessionId: null };
  }

  /** The live interaction of this browser, or undefined (unknown, expired, finished, another browser's). */
  async find(id: string, browser: string | undefined): Promise<Interaction | undefined> {
    if (browser === undefined || !/^[0-9a-f-]{36}$/i.test(id)) return undefined;
    const row = await this.db
      .selectFrom('oauth_interactions')
      .selectAll()
      .where('id', '=', id)
      .where('browser_hash', '=', digest(browser))
      .where('expires_at', '>', this.clock())
      .executeTakeFirst();
    if (row === undefined) return undefined;
    return {
      id: row.id,
      clientId: row.client_id,
      params: row.params as unknown as AuthorizationParams,
      browserSessionId: row.browser_session_id,
    };
  }

  async signedIn(id: string, browserSessionId: string): Promise<void> {
    await this.db.updateTable('oauth_interactions').set({ browser_session_id: browserSessionId }).where('id', '=', id).execute();
  }

  /** Finishes an interaction (a code was issued or an error sent back); it cannot be used again. */
  async finish(id: string): Promise<boolean> {
    const deleted = await this.db.deleteFrom('oauth_interactions').where('id', '=', id).returning('id').executeTakeFirst();
    return deleted !== undefined;
  }
}
