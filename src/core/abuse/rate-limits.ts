import type { RedisConnection } from '../redis.ts';
import type { Limit } from './config.ts';

export interface LimitResult {
  readonly allowed: boolean;
  readonly limit: number;
  readonly remaining: number;
  /** Seconds until the current window ends (and the budget is whole again). */
  readonly resetSeconds: number;
}

/** Entries kept in process memory at most (local fallback). */
const LOCAL_LIMIT = 200_000;

/**
 * Fixed-window counters whose window starts at the first request of a key (so a burst is never
 * split across two windows and let through twice). With Redis the counters are shared: one
 * MULTI per hit (SET NX PX to open the window, INCR, PTTL). Without it, or while Redis is
 * unreachable, each process counts on its own (fail-open to local limits: a budget then holds
 * per instance instead of per deployment).
 */
export class RateLimiter {
  private readonly local = new Map<string, { count: number; resetAt: number }>();
  private sweepAt = 0;

  constructor(private readonly redis: RedisConnection | undefined) {}

  async hit(key: string, budget: Limit, now = Date.now()): Promise<LimitResult> {
    const windowMs = budget.windowSeconds * 1000;
    // The window length is part of the key: changing a budget's window starts fresh counters.
    const name = `${key}:${budget.windowSeconds}`;
    const { count, resetInMs } = (await this.shared(name, windowMs)) ?? this.counted(name, windowMs, now);
    return {
      allowed: count <= budget.limit,
      limit: budget.limit,
      remaining: Math.max(0, budget.limit - count),
      resetSeconds: Math.max(1, Math.ceil(resetInMs / 1000)),
    };
  }

  private async shared(key: string, windowMs: number): Promise<{ count: number; resetInMs: number } | undefined> {
    if (this.redis === undefined || !this.redis.ready) return undefined;
    const redisKey = this.redis.key('rl', key);
    try {
      const results = await this.redis.client.multi().set(redisKey, '0', 'PX', windowMs, 'NX').incr(redisKey).pttl(redisKey).exec();
      const count = results?.[1]?.[1];
      const ttl = results?.[2]?.[1];
      if (typeof count !== 'number' || typeof ttl !== 'number') return undefined;
      return { count, resetInMs: ttl > 0 ? ttl : windowMs };
    } catch {
      // Unreachable or slow: count locally (RedisConnection logs the outage once).
      this.redis.trouble();
      return undefined;
    }
  }

  private counted(key: string, windowMs: number, now: number): { count: number; resetInMs: number } {
    this.sweep(now);
    const entry = this.local.get(key);
    if (entry === undefined || entry.resetAt <= now) {
      this.local.set(key, { count: 1, resetAt: now + windowMs });
      return { count: 1, resetInMs: windowMs };
    }
    entry.count += 1;
    return { count: entry.count, resetInMs: entry.resetAt - now };
  }

  private sweep(now: number): void {
    if (now < this.sweepAt && this.local.size < LOCAL_LIMIT) return;
    this.sweepAt = now + 10_000;
    for (const [key, entry] of this.local) if (entry.resetAt <= now) this.local.delete(key);
    // Bounded memory under a flood of distinct keys: forget the oldest windows.
    for (const key of this.local.keys()) {
      if (this.local.size < LOCAL_LIMIT * 0.9) break;
      this.local.delete(key);
    }
  }
}
