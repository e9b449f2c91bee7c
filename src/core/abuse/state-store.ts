import type { RedisConnection } from '../redis.ts';

/** Entries kept in process memory at most (local fallback). */
const LOCAL_LIMIT = 200_000;

/**
 * Small expiring counters and flags for brute-force state: in Redis when configured (shared by
 * every instance), else in this process. Each operation falls back to the local copy when Redis
 * fails, so an outage degrades protection to per-instance instead of failing logins.
 */
export class ExpiringState {
  private readonly local = new Map<string, { value: number; expiresAt: number }>();
  private sweepAt = 0;

  constructor(private readonly redis: RedisConnection | undefined) {}

  /** Adds one and (re)starts the expiry; returns the new count. */
  async increment(key: string, ttlSeconds: number): Promise<number> {
    const shared = await this.tryRedis(async (redis, name) => {
      const results = await redis.client.multi().incr(name).expire(name, ttlSeconds).exec();
      return Number(results?.[0]?.[1]);
    }, key);
    if (shared !== undefined && Number.isFinite(shared)) return shared;
    const now = Date.now();
    const entry = this.live(key, now);
    const value = (entry?.value ?? 0) + 1;
    this.local.set(key, { value, expiresAt: now + ttlSeconds * 1000 });
    return value;
  }

  async set(key: string, ttlSeconds: number): Promise<void> {
    const done = await this.tryRedis(async (redis, name) => (await redis.client.set(name, '1', 'EX', ttlSeconds)) === 'OK', key);
    if (done !== true) this.local.set(key, { value: 1, expiresAt: Date.now() + ttlSeconds * 1000 });
  }

  /** Milliseconds each key has left to live (0 = absent). */
  async remaining(keys: readonly string[]): Promise<number[]> {
    const shared = await this.tryRedis(async (redis) => {
      const pipeline = redis.client.pipeline();
      for (const key of keys) pipeline.pttl(redis.key('bf', key));
      const results = (await pipeline.exec()) ?? [];
      return results.map(([error, value]) => {
        if (error !== null) throw error;
        return typeof value === 'number' && value > 0 ? value : 0;
      });
    }, '');
    if (shared !== undefined) return shared;
    const now = Date.now();
    return keys.map((key) => {
      const entry = this.live(key, now);
      return entry === undefined ? 0 : entry.expiresAt - now;
    });
  }

  async delete(keys: readonly string[]): Promise<void> {
    for (const key of keys) this.local.delete(key);
    await this.tryRedis(async (redis) => redis.client.del(...keys.map((key) => redis.key('bf', key))), '');
  }

  private async tryRedis<T>(fn: (redis: RedisConnection, name: string) => Promise<T>, key: string): Promise<T | undefined> {
    const redis = this.redis;
    if (redis === undefined || !redis.ready) return undefined;
    try {
      return await fn(redis, redis.key('bf', key));
    } catch {
      redis.trouble();
      return undefined;
    }
  }

  private live(key: string, now: number): { value: number; expiresAt: number } | undefined {
    this.sweep(now);
    const entry = this.local.get(key);
    if (entry !== undefined && entry.expiresAt <= now) {
      this.local.delete(key);
      return undefined;
    }
    return entry;
  }

  private sweep(now: number): void {
    if (now < this.sweepAt && this.local.size < LOCAL_LIMIT) return;
    this.sweepAt = now + 60_000;
    for (const [key, entry] of this.local) if (entry.expiresAt <= now) this.local.delete(key);
    // A spray over millions of made-up emails must not grow memory without bound: forget the oldest.
    for (const key of this.local.keys()) {
      if (this.local.size < LOCAL_LIMIT * 0.9) break;
      this.local.delete(key);
    }
  }
}
