import type { Db } from '../db/connection.ts';
import { MAX_ACCESS_TOKEN_TTL_SECONDS } from './keys.ts';

/**
 * Where "this session was revoked" lives, so that an access token of a revoked session is
 * refused at once although the JWT itself is still valid. The in-memory store serves one
 * process; a shared store (Redis) makes a logout on one instance visible on all of them.
 */
export interface RevocationStore {
  isRevoked(sessionId: string): Promise<boolean>;
  /** Remember until `until` (after that every access token of the session has expired anyway). */
  revoke(sessionIds: readonly string[], until: Date): Promise<void>;
  close(): Promise<void>;
}

export class MemoryRevocationStore implements RevocationStore {
  private readonly revoked = new Map<string, number>();
  private sweepAt = 0;

  async isRevoked(sessionId: string): Promise<boolean> {
    return this.has(sessionId);
  }

  has(sessionId: string): boolean {
    const until = this.revoked.get(sessionId);
    if (until === undefined) return false;
    if (until < Date.now()) {
      this.revoked.delete(sessionId);
      return false;
    }
    return true;
  }

  async revoke(sessionIds: readonly string[], until: Date): Promise<void> {
    this.add(sessionIds, until.getTime());
  }

  add(sessionIds: readonly string[], until: number): void {
    for (const id of sessionIds) this.revoked.set(id, until);
    this.sweep();
  }

  async close(): Promise<void> {
    this.revoked.clear();
  }

  private sweep(): void {
    const now = Date.now();
    if (now < this.sweepAt) return;
    this.sweepAt = now + 60_000;
    for (const [id, until] of this.revoked) if (until < now) this.revoked.delete(id);
  }
}

/** Sessions revoked recently enough that their access tokens may still be unexpired. */
export async function recentlyRevokedSessions(db: Db): Promise<Array<{ id: string; until: Date }>> {
  const since = new Date(Date.now() - MAX_ACCESS_TOKEN_TTL_SECONDS * 1000);
  const rows = await db.selectFrom('sessions').select(['id', 'revoked_at']).where('revoked_at', '>', since).execute();
  return rows.map((row) => ({
    id: row.id,
    until: new Date((row.revoked_at ?? new Date()).getTime() + MAX_ACCESS_TOKEN_TTL_SECONDS * 1000),
  }));
}
