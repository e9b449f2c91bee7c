export interface AdmissionSettings {
  /** Hashes computed at once. */
  readonly concurrency: number;
  /** Longest wait for a hash slot worth having: past it a caller is refused (HASH_MAX_WAIT_MS). */
  readonly maxWaitMs: number;
  /** Hard cap on waiting hashes whatever the estimate says (memory bound; HASH_QUEUE_LIMIT). */
  readonly queueLimit: number;
}

/** Weight of the newest hash duration in the running mean: about the last 10–20 hashes count. */
const SMOOTHING = 0.1;
/**
 * A waiter is dropped at dequeue only past this multiple of the target: the estimate at admission
 * is what normally keeps waits under it, and a caller admitted on a slightly low estimate is
 * better served a little late than refused after having waited. The guard is for gross
 * misestimates: a cold start (no duration measured yet) or a sudden slowdown of the machine.
 */
const OVERDUE_FACTOR = 2;

/**
 * Who may wait for a password hash, decided by waiting time rather than queue length (a queue of
 * 16 is 100 ms on a fast machine and seconds on a slow one, or with a costlier hash). A newcomer
 * is admitted when the wait it can expect, the hashes ahead of it times the measured mean hash
 * duration divided by the slots, stays within the target; a waiter whose actual wait has run far
 * past the target is refused when its turn comes (the sojourn-time rule of CoDel). Pure
 * arithmetic on an injected clock, so the rule is tested without timing.
 */
export class HashAdmission {
  private mean: number | undefined;

  constructor(
    private readonly settings: AdmissionSettings,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** The running mean hash duration in ms; undefined before the first hash finished. */
  get meanHashMs(): number | undefined {
    return this.mean;
  }

  /** Feeds one finished hash's duration (ms, wall time from hand-off to answer). */
  observe(durationMs: number): void {
    if (!Number.isFinite(durationMs) || durationMs < 0) return;
    this.mean = this.mean === undefined ? durationMs : this.mean + SMOOTHING * (durationMs - this.mean);
  }

  /**
   * The wait a newcomer can expect with `running` hashes in progress and `waiting` queued before
   * it: none while a slot is free, else until `waiting + 1` hashes have finished on `concurrency`
   * slots. Before any hash was measured the estimate is 0 (the sojourn rule still applies).
   */
  expectedWaitMs(running: number, waiting: number): number {
    if (running < this.settings.concurrency) return 0;
    return ((waiting + 1) * (this.mean ?? 0)) / this.settings.concurrency;
  }

  /** Whether a newcomer may join the queue now. */
  admits(running: number, waiting: number): boolean {
    if (running < this.settings.concurrency) return true;
    if (waiting >= this.settings.queueLimit) return false;
    return this.expectedWaitMs(running, waiting) <= this.settings.maxWaitMs;
  }

  /** A timestamp for a newcomer that joins the queue (see overdue). */
  enqueuedAt(): number {
    return this.now();
  }

  /** Whether a waiter that joined at `since` has waited too long to be served now. */
  overdue(since: number): boolean {
    return this.now() - since > OVERDUE_FACTOR * this.settings.maxWaitMs;
  }
}
