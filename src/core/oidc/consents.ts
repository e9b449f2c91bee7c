import { sql } from 'kysely';
import type { Db } from '../../db/connection.ts';

/** What a user allowed a client: the union of the scopes granted so far. */
export class Consents {
  constructor(private readonly db: Db) {}

  async granted(userId: string, clientId: string): Promise<string[]> {
    const row = await this.db
      .selectFrom('oauth_consents')
      .select('scopes')
      .where('user_id', '=', userId)
      .where('client_id', '=', clientId)
      .executeTakeFirst();
    return row?.scopes ?? [];
  }

  /** Whether every scope asked for was granted before. */
  async covers(userId: string, clientId: string, scopes: readonly string[]): Promise<boolean> {
    const granted = new Set(await this.granted(userId, clientId));
    return scopes.every((scope) => granted.has(scope));
  }

  async grant(userId: string, clientId: string, scopes: readonly string[]): Promise<void> {
    const now = new Date();
    await this.db
      .insertInto('oauth_consents')
      .values({ user_id: userId, client_id: clientId, scopes: [...scopes], created_at: now, updated_at: now })
      .onConflict((oc) =>
        oc.columns(['user_id', 'client_id']).doUpdateSet({
          // The union, without duplicates: a narrower request never takes back an earlier grant.
          scopes: sql<string[]>`ARRAY(SELECT DISTINCT unnest(oauth_consents.scopes || excluded.scopes) ORDER BY 1)`,
          updated_at: now,
        }),
      )
      .execute();
  }
}
