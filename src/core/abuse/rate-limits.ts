import type { RedisConnection } from '../redis.ts';
import type { Limit } from './config.ts';

export interface LimitResult {
  readonly allowed: boolean;
  readonly limit: number;
  readonly remaining: number;
  /** Seconds until the current window ends (and the budget is whole again). */
  readonly resetSeconds: number;
}

/**
 * Fixed-window counters aligned on the clock, so every instance agrees on the window without
 * coordination. With Redis the counters are shared (one MULTI per hit: INCR + PEXPIREAT);
 * without it, or while Redis is unreachable, each process counts on its own (fail-open to
 * local limits: a budget then holds per instance instead of per deployment).
 */
export class RateLimiter {
  private readonly local = new Map<string, { count: number; resetAt: number }>();
  private sweepAt = 0;

  constructor(private readonly redis: RedisConnection | undefined) {}

  async hit(key: string, budget: Limit, now = Date.now()): Promise<LimitResult> {
    const windowMs = budget.windowSeconds * 1000;
    const window = Math.floor(now / windowMs);
    const resetAt = (window + 1) * windowMs;
    const count = (await this.shared(`${key}:${window}`, resetAt)) ?? this.counted(`${key}:${window}`, resetAt, now);
    return {
      allowed: count <= budget.limit,
      limit: budget.limit,
      remaining: Math.max(0, budget.limit - count),
      resetSeconds: Math.max(1, Math.ceil((resetAt - now) / 1000)),
    };
  }

  private async shared(key: string, resetAt: number): Promise<number | undefined> {
    if (this.redis === undefined || !this.redis.ready) return undefined;
    const redisKey = this.redis.key('rl', key);
    try {
      const results = await this.redis.client.multi().incr(redisKey).pexpireat(redisKey, resetAt + 1000).exec();
      const value = results?.[0]?.[1];
      return typeof value === 'number' ? value : undefined;
    } catch {
      // Unreachable or slow: count locally (RedisConnection logs the outage once).
      this.redis.trouble();
      return undefined;
    }
  }

  private counted(key: string, resetAt: number, now: number): number {
    this.sweep(now);
    const entry = this.local.get(key);
    if (entry === undefined) {
      this.local.set(key, { count: 1, resetAt });
      return 1;
    }
    entry.count += 1;
    return entry.count;
  }

  private sweep(now: number): void {
    if (now < this.sweepAt) return;
    this.sweepAt = now + 10_000;
    for (const [key, entry] of this.local) if (entry.resetAt <= now) this.local.delete(key);
  }
}
