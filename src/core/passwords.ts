import { Worker } from 'node:worker_threads';
import type { Options } from '@node-rs/argon2';
import { ErrorCode, GatehouseError } from './errors.ts';

export interface HasherOptions {
  readonly memoryKib: number;
  readonly iterations: number;
  readonly parallelism: number;
  /** Hashes computed at once (each on its own worker thread, off the event loop). */
  readonly concurrency: number;
  /** Hashes allowed to wait for a slot; past this, callers get Overloaded at once. */
  readonly queueLimit: number;
}

const ARGON2ID = 2 as Options['algorithm'];
/** Nice value of the hashing threads: below the event loop, which must win the CPU under load. */
const HASH_THREAD_NICE = 10;
const WORKER_URL = new URL('./hash-worker.mjs', import.meta.url);

type Job = { op: 'hash'; password: string } | { op: 'verify'; hash: string; password: string };
type Reply = { id: number; value?: string | boolean; error?: string; ms?: number };
type Done = { value: string | boolean; ms: number };

/** A worker thread running one job at a time; a crashed worker fails its job and is replaced. */
class HashThread {
  private worker: Worker | undefined;
  private pending: { id: number; resolve: (done: Done) => void; reject: (error: Error) => void } | undefined;
  private nextId = 0;

  constructor(private readonly options: Options) {}

  run(job: Job): Promise<Done> {
    const worker = this.ensureWorker();
    return new Promise((resolve, reject) => {
      this.nextId += 1;
      this.pending = { id: this.nextId, resolve, reject };
      worker.postMessage({ ...job, id: this.nextId });
    });
  }

  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    if (worker !== undefined) await worker.terminate();
  }

  private ensureWorker(): Worker {
    if (this.worker !== undefined) return this.worker;
    // A hash thread holds only the argon2 call: small heaps keep each isolate a few MB.
    const worker = new Worker(WORKER_URL, {
      workerData: { options: this.options, nice: HASH_THREAD_NICE },
      resourceLimits: { maxYoungGenerationSizeMb: 1, maxOldGenerationSizeMb: 16 },
    });
    worker.unref();
    worker.on('message', (reply: Reply) => {
      const pending = this.pending;
      if (pending === undefined || pending.id !== reply.id) return;
      this.pending = undefined;
      if (reply.error !== undefined || reply.value === undefined) pending.reject(new Error(reply.error ?? 'hash worker failed'));
      else pending.resolve({ value: reply.value, ms: reply.ms ?? 0 });
    });
    const fail = (error: Error): void => {
      if (this.worker === worker) this.worker = undefined;
      const pending = this.pending;
      this.pending = undefined;
      pending?.reject(error);
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`hash worker exited with code ${code}`)));
    this.worker = worker;
    return worker;
  }
}

/**
 * argon2id behind a bounded queue. Hashes run on low-priority worker threads, so the event
 * loop stays free and keeps the CPU it needs; bounding both running and waiting work keeps
 * memory flat and turns a login flood into fast 503s instead of ever-growing latency for everybody.
 */
export class PasswordHasher {
  private running = 0;
  private readonly waiting: Array<() => void> = [];
  private readonly idle: HashThread[] = [];
  private readonly threads: HashThread[] = [];
  private dummyHash: Promise<string> | undefined;

  constructor(readonly settings: HasherOptions) {
    const options: Options = {
      algorithm: ARGON2ID,
      memoryCost: settings.memoryKib,
      timeCost: settings.iterations,
      parallelism: settings.parallelism,
    };
    // Threads start lazily, on first use: many processes (CLI commands, tests) never hash.
    for (let index = 0; index < settings.concurrency; index += 1) this.threads.push(new HashThread(options));
    this.idle.push(...this.threads);
  }

  async close(): Promise<void> {
    await Promise.all(this.threads.map((thread) => thread.close()));
  }

  /** Hashes waiting for a slot (for metrics). */
  get queueDepth(): number {
    return this.waiting.length;
  }

  get inFlight(): number {
    return this.running;
  }

  /** Every slot busy and the queue at its limit: the next hash would be refused with Overloaded. */
  get full(): boolean {
    return this.running >= this.settings.concurrency && this.waiting.length >= this.settings.queueLimit;
  }

  async hash(password: string): Promise<string> {
    return String((await this.withSlot({ op: 'hash', password })).value);
  }

  /**
   * Constant-time by construction (each format compares digests), false for a malformed hash.
   * Any format of password-formats.ts verifies (legacy ones from imports too).
   */
  async verify(passwordHash: string, password: string): Promise<boolean> {
    return (await this.verifyMeasured(passwordHash, password)).ok;
  }

  /** verify, with the time the hash thread spent on it (no queueing): see password-timing.ts. */
  async verifyMeasured(passwordHash: string, password: string): Promise<{ ok: boolean; ms: number }> {
    const done = await this.withSlot({ op: 'verify', hash: passwordHash, password });
    return { ok: done.value === true, ms: done.ms };
  }

  /**
   * Burns the same work as a real verification, so an unknown email takes as long as a
   * wrong password and login timing does not reveal which emails exist.
   */
  async verifyDummy(password: string): Promise<false> {
    await this.verifyDummyMeasured(password);
    return false;
  }

  async verifyDummyMeasured(password: string): Promise<{ ok: false; ms: number }> {
    this.dummyHash ??= this.hash('gatehouse-dummy-password');
    return { ok: false, ms: (await this.verifyMeasured(await this.dummyHash, password)).ms };
  }

  private async withSlot(job: Job): Promise<Done> {
    if (this.running >= this.settings.concurrency) {
      if (this.full) throw overloaded();
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else {
      this.running += 1;
    }
    // A slot guarantees an idle thread: there are exactly `concurrency` of each.
    const thread = this.idle.pop() as HashThread;
    try {
      return await thread.run(job);
    } finally {
      this.idle.push(thread);
      const next = this.waiting.shift();
      // Hand the slot straight to the next waiter so `running` never overshoots.
      if (next === undefined) this.running -= 1;
      else next();
    }
  }
}

/** What a password operation gets while the hash queue is full (also from load-shedding.ts). */
export function overloaded(): GatehouseError {
  return new GatehouseError(ErrorCode.Overloaded, 'Too many password operations in progress', { retryAfter: 1 });
}
