import { Worker } from 'node:worker_threads';
import type { Options } from '@node-rs/argon2';
import { ErrorCode, GatehouseError } from './errors.ts';
import { HashAdmission } from './hash-admission.ts';

export interface HasherOptions {
  readonly memoryKib: number;
  readonly iterations: number;
  readonly parallelism: number;
  /** Hashes computed at once (each on its own worker thread, off the event loop). */
  readonly concurrency: number;
  /** Hard cap on hashes waiting for a slot; past it callers get Overloaded at once. */
  readonly queueLimit: number;
  /** Longest expected wait for a slot before callers get Overloaded (see HashAdmission; default 1 s). */
  readonly maxWaitMs?: number;
  /** Nice value of the hashing threads (default 10). */
  readonly threadNice?: number;
}

/** Replaceable parts, for tests: the clock and what computes a hash (default: the worker threads). */
export interface HasherDeps {
  readonly now?: () => number;
  readonly run?: (job: Job) => Promise<string | boolean>;
}

const ARGON2ID = 2 as Options['algorithm'];
/** Default nice value of the hashing threads: below the event loop, which must win the CPU under load. */
const HASH_THREAD_NICE = 10;
const WORKER_URL = new URL('./hash-worker.mjs', import.meta.url);
/** HASH_MAX_WAIT_MS's default (src/config.ts). */
const DEFAULT_MAX_WAIT_MS = 1000;

export type Job = { op: 'hash'; password: string } | { op: 'verify'; hash: string; password: string };
type Reply = { id: number; value?: string | boolean; error?: string; ms?: number };
type Done = { value: string | boolean; ms: number };

/** A worker thread running one job at a time; a crashed worker fails its job and is replaced. */
class HashThread {
  private worker: Worker | undefined;
  private pending: { id: number; resolve: (done: Done) => void; reject: (error: Error) => void } | undefined;
  private nextId = 0;

  constructor(
    private readonly options: Options,
    private readonly nice: number,
  ) {}

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
      workerData: { options: this.options, nice: this.nice },
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
 * argon2id behind a queue bounded by waiting time. Hashes run on low-priority worker threads, so
 * the event loop stays free and keeps the CPU it needs; a caller that would wait longer for a
 * slot than it is worth (HashAdmission) is refused at once, which keeps memory flat and turns a
 * login flood into fast 503s instead of ever-growing latency for everybody.
 */
export class PasswordHasher {
  private running = 0;
  private readonly waiting: Waiter[] = [];
  private readonly idle: HashThread[] = [];
  private readonly threads: HashThread[] = [];
  private readonly admission: HashAdmission;
  private readonly now: () => number;
  private readonly runJob: ((job: Job) => Promise<string | boolean>) | undefined;
  private dummyHash: Promise<string> | undefined;

  constructor(
    readonly settings: HasherOptions,
    deps: HasherDeps = {},
  ) {
    const options: Options = {
      algorithm: ARGON2ID,
      memoryCost: settings.memoryKib,
      timeCost: settings.iterations,
      parallelism: settings.parallelism,
    };
    this.now = deps.now ?? (() => performance.now());
    this.admission = new HashAdmission({ ...settings, maxWaitMs: settings.maxWaitMs ?? DEFAULT_MAX_WAIT_MS }, this.now);
    this.runJob = deps.run;
    // Threads start lazily, on first use: many processes (CLI commands, tests) never hash.
    if (deps.run === undefined)
      for (let index = 0; index < settings.concurrency; index += 1)
        this.threads.push(new HashThread(options, settings.threadNice ?? HASH_THREAD_NICE));
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

  /** The mean duration of recent hashes in ms (for metrics); undefined before the first. */
  get meanHashMs(): number | undefined {
    return this.admission.meanHashMs;
  }

  /** The wait a hash requested now can expect for a slot, in ms (for metrics). */
  get expectedWaitMs(): number {
    return this.admission.expectedWaitMs(this.running, this.waiting.length);
  }

  /** A hash requested now would be refused with Overloaded (its expected wait is past the target). */
  get full(): boolean {
    return !this.admission.admits(this.running, this.waiting.length);
  }

  /**
   * Whether a caller may still be admitted with `ahead` callers already admitted elsewhere that
   * will each need a hash (the HTTP layer counts sign-ins from arrival, before they reach the queue).
   */
  admitsAhead(ahead: number): boolean {
    const total = Math.max(ahead, this.running + this.waiting.length);
    const running = Math.min(total, this.settings.concurrency);
    return this.admission.admits(running, total - running);
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
    if (this.dummyHash === undefined) {
      const created = this.hash('gatehouse-dummy-password');
      // A refused or failed first hash must not stay cached: every later call would fail with it.
      created.catch(() => {
        if (this.dummyHash === created) this.dummyHash = undefined;
      });
      this.dummyHash = created;
    }
    return { ok: false, ms: (await this.verifyMeasured(await this.dummyHash, password)).ms };
  }

  private async withSlot(job: Job): Promise<Done> {
    if (this.running >= this.settings.concurrency) {
      if (!this.admission.admits(this.running, this.waiting.length)) throw overloaded();
      // Resolved by `release` with the slot handed over, or rejected when it waited too long.
      await new Promise<void>((resolve, reject) => this.waiting.push({ resolve, reject, since: this.admission.enqueuedAt() }));
    } else {
      this.running += 1;
    }
    const started = this.now();
    try {
      return await this.compute(job);
    } finally {
      this.admission.observe(this.now() - started);
      this.release();
    }
  }

  private async compute(job: Job): Promise<Done> {
    if (this.runJob !== undefined) {
      const started = this.now();
      const value = await this.runJob(job);
      return { value, ms: this.now() - started };
    }
    // A slot guarantees an idle thread: there are exactly `concurrency` of each.
    const thread = this.idle.pop() as HashThread;
    try {
      return await thread.run(job);
    } finally {
      this.idle.push(thread);
    }
  }

  /** Hands a finished hash's slot straight to the next waiter still worth serving, so `running` never overshoots. */
  private release(): void {
    for (let next = this.waiting.shift(); next !== undefined; next = this.waiting.shift()) {
      if (!this.admission.overdue(next.since)) {
        next.resolve();
        return;
      }
      next.reject(overloaded());
    }
    this.running -= 1;
  }
}

interface Waiter {
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
  readonly since: number;
}

/** What a password operation gets while the hash queue is full (also from load-shedding.ts). */
export function overloaded(): GatehouseError {
  return new GatehouseError(ErrorCode.Overloaded, 'Too many password operations in progress', { retryAfter: 1 });
}
