import { Redis, type RedisOptions } from 'ioredis';
import type { Logger } from 'pino';

/**
 * The shared Redis connection (REDIS_URL) behind rate limits, brute-force state and session
 * revocations. Every feature on top of it must keep serving when Redis is down, so commands
 * fail fast instead of queueing: no offline queue, a short command timeout, one retry. The
 * client reconnects by itself forever; an outage is logged once when it starts and once when
 * it ends.
 */
export class RedisConnection {
  readonly client: Redis;
  /** Key and channel prefix (REDIS_KEY_PREFIX): instances of one deployment share it. */
  readonly prefix: string;
  private up = false;
  private skipUntil = 0;
  private readonly down = new Set<Redis>();
  private readonly extra: Redis[] = [];
  private closing = false;

  constructor(
    url: string,
    prefix: string,
    private readonly logger: Logger,
  ) {
    this.prefix = prefix;
    this.client = new Redis(url, RedisConnection.options());
    this.watch(this.client, 'redis');
  }

  static options(): RedisOptions {
    return {
      enableOfflineQueue: false,
      commandTimeout: 500,
      maxRetriesPerRequest: 1,
      connectTimeout: 2000,
      // Reconnect forever, backing off to one attempt a second.
      retryStrategy: (attempt) => Math.min(50 * attempt, 1000),
      lazyConnect: false,
    };
  }

  /** Whether the connection is currently usable; callers use their local fallback when not. */
  get ready(): boolean {
    return this.up && this.client.status === 'ready' && Date.now() >= this.skipUntil;
  }

  /**
   * A command failed or timed out while the connection looked fine (e.g. Redis paused or
   * overloaded): use the local fallbacks for a second instead of paying the timeout on every
   * request.
   */
  trouble(): void {
    this.skipUntil = Date.now() + 1000;
  }

  /**
   * A second connection for SUBSCRIBE (a subscribed connection cannot run other commands).
   * It may queue commands while offline: SUBSCRIBE must be re-sent on reconnect.
   */
  subscriber(): Redis {
    const connection = this.client.duplicate({ enableOfflineQueue: true, maxRetriesPerRequest: null, commandTimeout: undefined });
    this.watch(connection, 'redis subscriber');
    this.extra.push(connection);
    return connection;
  }

  /** Waits (bounded) for the first connection, so a normal start shares state from the first request. */
  async waitReady(timeoutMs: number): Promise<boolean> {
    if (this.ready) return true;
    return new Promise((resolve) => {
      const done = (value: boolean): void => {
        clearTimeout(timer);
        this.client.off('ready', onReady);
        resolve(value);
      };
      const onReady = (): void => done(true);
      const timer = setTimeout(() => done(false), timeoutMs);
      this.client.on('ready', onReady);
    });
  }

  key(...parts: readonly string[]): string {
    return `${this.prefix}${parts.join(':')}`;
  }

  async close(): Promise<void> {
    this.closing = true;
    for (const connection of [...this.extra, this.client]) {
      connection.disconnect(false);
    }
  }

  private watch(connection: Redis, name: string): void {
    connection.on('ready', () => {
      if (connection === this.client) this.up = true;
      if (this.down.delete(connection)) this.logger.info(`${name} connection restored`);
    });
    const lost = (error?: Error): void => {
      if (connection === this.client) this.up = false;
      if (this.down.has(connection) || this.closing) return;
      this.down.add(connection);
      this.logger.warn({ err: error?.message }, `${name} unreachable: using local fallbacks until it returns`);
    };
    connection.on('error', (error: Error) => lost(error));
    connection.on('close', () => lost());
  }
}
