import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { MAX_ACCESS_TOKEN_TTL_SECONDS } from './keys.ts';
import type { RedisConnection } from './redis.ts';
import { MemoryRevocationStore, type RevocationStore } from './revocations.ts';

const RESYNC_MS = 15_000;

/**
 * Revocations shared through Redis without a Redis round trip per request: `isRevoked` reads a
 * local mirror only. A revocation is written to a sorted set (member = session id, score =
 * until) and published; every instance's subscriber adds it to its mirror at once. The mirror
 * is reloaded from the sorted set whenever the subscriber (re)connects and every 15 s, which
 * heals a missed message; revocations this instance could not write while Redis was down are
 * re-sent when it returns.
 *
 * Failure policy: while Redis is unreachable, a logout on another instance reaches this one
 * only after Redis returns (fail-open for tokens this instance already verified; bounded by
 * the outage and by access-token expiry). Tokens this instance has not seen yet are checked
 * against the database on first sight (Auth.authenticateBearer), so those fail closed.
 */
export class RedisRevocationStore implements RevocationStore {
  private readonly mirror = new MemoryRevocationStore();
  private readonly subscriber: Redis;
  private readonly setKey: string;
  private readonly channel: string;
  private readonly unsent = new Map<string, number>();
  private readonly timer: NodeJS.Timeout;
  private retry: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly redis: RedisConnection,
    private readonly logger: Logger,
  ) {
    this.setKey = redis.key('revoked');
    this.channel = redis.key('revocations');
    this.subscriber = redis.subscriber();
    this.subscriber.on('message', (_channel: string, message: string) => this.onMessage(message));
    this.subscriber.on('ready', () => void this.resync());
    this.subscriber.subscribe(this.channel).catch(() => undefined);
    redis.client.on('ready', () => {
      void this.resendUnsent();
      void this.resync();
    });
    this.timer = setInterval(() => void this.resync(), RESYNC_MS);
    this.timer.unref();
  }

  async isRevoked(sessionId: string): Promise<boolean> {
    return this.mirror.has(sessionId);
  }

  async revoke(sessionIds: readonly string[], until: Date): Promise<void> {
    const untilMs = until.getTime();
    this.mirror.add(sessionIds, untilMs);
    if (!(await this.publish(sessionIds, untilMs))) {
      for (const id of sessionIds) this.unsent.set(id, untilMs);
      this.scheduleResend();
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    clearTimeout(this.retry);
    this.retry = undefined;
    await this.mirror.close();
  }

  /** Reloads every live revocation from the sorted set (and drops expired ones from it). */
  async resync(): Promise<void> {
    if (!this.redis.ready) return;
    try {
      const now = Date.now();
      const [, live] = (await this.redis.client
        .multi()
        .zremrangebyscore(this.setKey, '-inf', now)
        .zrangebyscore(this.setKey, now, '+inf', 'WITHSCORES')
        .exec()) ?? [
        [null, 0],
        [null, []],
      ];
      const flat = (live?.[1] ?? []) as string[];
      for (let index = 0; index + 1 < flat.length; index += 2) {
        this.mirror.add([flat[index] as string], Number(flat[index + 1]));
      }
    } catch (error) {
      this.logger.debug({ err: error }, 'revocation resync failed; will retry');
    }
  }

  private async publish(sessionIds: readonly string[], untilMs: number): Promise<boolean> {
    if (!this.redis.ready || sessionIds.length === 0) return sessionIds.length === 0;
    try {
      const members = sessionIds.flatMap((id) => [untilMs, id]);
      await this.redis.client
        .multi()
        .zadd(this.setKey, ...members)
        // Every member expires within the longest access-token lifetime, so the set may too.
        .pexpire(this.setKey, MAX_ACCESS_TOKEN_TTL_SECONDS * 1000 + 60_000)
        .publish(this.channel, JSON.stringify({ ids: sessionIds, until: untilMs }))
        .exec();
      return true;
    } catch {
      this.redis.trouble();
      return false;
    }
  }

  /** Retries unsent revocations every second until Redis takes them (a reconnect also triggers it). */
  private scheduleResend(): void {
    if (this.retry !== undefined || this.closed) return;
    this.retry = setTimeout(() => {
      this.retry = undefined;
      void this.resendUnsent().then(() => {
        if (this.unsent.size > 0) this.scheduleResend();
      });
    }, 1000);
    this.retry.unref();
  }

  private async resendUnsent(): Promise<void> {
    if (this.unsent.size === 0) return;
    if (!this.redis.ready) return;
    const byUntil = new Map<number, string[]>();
    for (const [id, until] of this.unsent) byUntil.set(until, [...(byUntil.get(until) ?? []), id]);
    for (const [until, ids] of byUntil) {
      if (until <= Date.now() || (await this.publish(ids, until))) for (const id of ids) this.unsent.delete(id);
    }
    if (this.unsent.size === 0) this.logger.info('revocations made while Redis was unreachable are now shared');
  }

  private onMessage(message: string): void {
    try {
      const parsed = JSON.parse(message) as { ids?: unknown; until?: unknown };
      if (!Array.isArray(parsed.ids) || typeof parsed.until !== 'number') return;
      this.mirror.add(
        parsed.ids.filter((id): id is string => typeof id === 'string'),
        parsed.until,
      );
    } catch {
      // Not ours: ignore.
    }
  }
}
