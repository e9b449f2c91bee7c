import { randomInt } from 'node:crypto';
import type { Logger } from 'pino';

/** Work starts this long after the request that asked for it, at random within the range. */
const START_AFTER_MS = { min: 5, max: 50 } as const;

/**
 * Work a request starts but does not wait for: a password-reset request answers before the
 * lookup and the email, so its answer says nothing about the address. The work starts a short,
 * random moment later rather than at once: on the embedded database every statement runs on
 * the event loop, and work begun at once (only for addresses that exist) ran before the answer
 * was written and made it measurably slower. Tasks still start in the order they were asked
 * for (a verification email before the reset email asked for just after it). Close waits.
 */
export class BackgroundTasks {
  private readonly pending = new Set<Promise<void>>();
  private lastStart = 0;

  constructor(private readonly logger: Logger) {}

  run(name: string, work: () => Promise<void>): void {
    const now = Date.now();
    this.lastStart = Math.max(now + randomInt(START_AFTER_MS.min, START_AFTER_MS.max + 1), this.lastStart);
    const task = new Promise<void>((resolve) => setTimeout(resolve, this.lastStart - now))
      .then(work)
      .catch((error: unknown) => this.logger.error({ err: error, task: name }, 'background task failed'))
      .finally(() => this.pending.delete(task));
    this.pending.add(task);
  }

  /** Resolves when every task started so far has finished (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }
}
