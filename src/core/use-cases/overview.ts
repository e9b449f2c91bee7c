import type { PasswordHasher } from '../passwords.ts';
import type { HourCount, SigningKeyInfo, Statistics } from '../statistics.ts';
import { assertMay, type Actor } from './actor.ts';

export interface OverviewFigures {
  readonly usersTotal: number;
  /** The last 24 hours, oldest first. */
  readonly signIns: readonly HourCount[];
  readonly lockedLast24h: number;
  /** Password hashes waiting for a worker slot right now (this instance). */
  readonly hashQueueDepth: number;
  readonly mail: { readonly mode: 'smtp' | 'outbox'; readonly pending: number; readonly failed: number };
  /** The key signing new tokens, and its age. */
  readonly signingKey: { readonly kid: string; readonly createdAt: Date } | undefined;
}

/** What the console's overview and security pages show: counts, never rows of users. */
export class Overview {
  constructor(
    private readonly deps: { readonly statistics: Statistics; readonly hasher: PasswordHasher; readonly mailMode: () => 'smtp' | 'outbox' },
  ) {}

  async figures(actor: Actor, now: Date = new Date()): Promise<OverviewFigures> {
    assertMay(actor, 'read');
    const { statistics } = this.deps;
    const [usersTotal, signIns, lockedLast24h, mail, keys] = await Promise.all([
      statistics.usersTotal(),
      statistics.signInsByHour(now),
      statistics.lockedSince(new Date(now.getTime() - 24 * 3600 * 1000)),
      statistics.mailByStatus(),
      statistics.signingKeys(),
    ]);
    const current = keys.find((key) => key.retiredAt === null);
    return {
      usersTotal,
      signIns,
      lockedLast24h,
      hashQueueDepth: this.deps.hasher.queueDepth,
      mail: { mode: this.deps.mailMode(), pending: (mail.pending ?? 0) + (mail.sending ?? 0), failed: mail.failed ?? 0 },
      signingKey: current === undefined ? undefined : { kid: current.kid, createdAt: current.createdAt },
    };
  }

  async signingKeys(actor: Actor): Promise<SigningKeyInfo[]> {
    assertMay(actor, 'read');
    return this.deps.statistics.signingKeys();
  }

  async failedMail(actor: Actor, limit = 50): Promise<Awaited<ReturnType<Statistics['failedMail']>>> {
    assertMay(actor, 'read');
    return this.deps.statistics.failedMail(limit);
  }
}
