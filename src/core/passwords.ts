import { hash, verify } from '@node-rs/argon2';
import type { Options } from '@node-rs/argon2';
import { ErrorCode, GatehouseError } from './errors.ts';

export interface HasherOptions {
  readonly memoryKib: number;
  readonly iterations: number;
  readonly parallelism: number;
  /** Hashes computed at once (each runs on a libuv worker thread, off the event loop). */
  readonly concurrency: number;
  /** Hashes allowed to wait for a slot; past this, callers get Overloaded at once. */
  readonly queueLimit: number;
}

const ARGON2ID = 2 as Options['algorithm'];

/**
 * argon2id behind a bounded queue. The hash runs on libuv's pool, so the event loop stays
 * free; bounding both running and waiting work keeps memory flat and turns a login flood
 * into fast 503s instead of ever-growing latency for everybody.
 */
export class PasswordHasher {
  private running = 0;
  private readonly waiting: Array<() => void> = [];
  private readonly options: Options;
  private dummyHash: Promise<string> | undefined;

  constructor(private readonly settings: HasherOptions) {
    this.options = {
      algorithm: ARGON2ID,
      memoryCost: settings.memoryKib,
      timeCost: settings.iterations,
      parallelism: settings.parallelism,
    };
    // libuv's pool defaults to 4 threads; more concurrent hashes than threads would just queue there.
    const pool = Number(process.env.UV_THREADPOOL_SIZE ?? 4);
    if (settings.concurrency > pool) process.env.UV_THREADPOOL_SIZE = String(settings.concurrency);
  }

  /** Hashes waiting for a slot (for metrics). */
  get queueDepth(): number {
    return this.waiting.length;
  }

  get inFlight(): number {
    return this.running;
  }

  hash(password: string): Promise<string> {
    return this.withSlot(() => hash(password, this.options));
  }

  /** Constant-time by construction (argon2 compares digests), false for a malformed hash. */
  verify(passwordHash: string, password: string): Promise<boolean> {
    return this.withSlot(async () => {
      try {
        return await verify(passwordHash, password);
      } catch {
        return false;
      }
    });
  }

  /**
   * Burns the same work as a real verification, so an unknown email takes as long as a
   * wrong password and login timing does not reveal which emails exist.
   */
  async verifyDummy(password: string): Promise<false> {
    this.dummyHash ??= hash('gatehouse-dummy-password', this.options);
    await this.verify(await this.dummyHash, password);
    return false;
  }

  private async withSlot<T>(work: () => Promise<T>): Promise<T> {
    if (this.running >= this.settings.concurrency) {
      if (this.waiting.length >= this.settings.queueLimit) {
        throw new GatehouseError(ErrorCode.Overloaded, 'Too many password operations in progress', {
          retryAfter: 1,
        });
      }
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else {
      this.running += 1;
    }
    try {
      return await work();
    } finally {
      const next = this.waiting.shift();
      // Hand the slot straight to the next waiter so `running` never overshoots.
      if (next === undefined) this.running -= 1;
      else next();
    }
  }
}
