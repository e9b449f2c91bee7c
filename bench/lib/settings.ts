import { readFileSync } from 'node:fs';
import { availableParallelism, totalmem } from 'node:os';

export interface Settings {
  /** Rounds of each interleaved run (BENCH_ROUNDS): every round runs each arm once. */
  readonly rounds: number;
  /** Seconds per segment (BENCH_SEGMENT): one arm's turn within a round. */
  readonly segmentSeconds: number;
  /** Stored users for the large comparison (BENCH_LARGE_USERS; 0 skips it). */
  readonly largeUsers: number;
  readonly smallUsers: number;
  /** Connections for cheap requests (reads, the floor, get-session), as autocannon's default. */
  readonly readConnections: number;
  /**
   * Distinct sessions the authenticated reads cycle through. More than the connections, so a
   * server's per-token or per-user caches see a spread of users rather than ten hot ones.
   */
  readonly readSessions: number;
  /** Connections for the throughput runs of sign-in and sign-up: enough to keep every hash slot busy. */
  readonly hashConnections: number;
  /** Concurrent sign-in clients of the load-shedding run. */
  readonly concurrencyLevels: readonly number[];
  readonly databaseUrl: string | undefined;
  /** BENCH_CPU_PROF=dir: the Gatehouse children write V8 CPU profiles there (one per server start). */
  readonly cpuProfDir: string | undefined;
  readonly cores: number;
  /** BENCH_ONLY=hash,read,...: run only these groups (for profiling or a quick check); undefined = all. */
  readonly only: readonly Step[] | undefined;
}

export const STEPS = ['hash', 'read', 'shed', 'choices', 'large'] as const;
export type Step = (typeof STEPS)[number];

export function runs(settings: Settings, step: Step): boolean {
  return settings.only === undefined || settings.only.includes(step);
}

function only(): Step[] | undefined {
  const raw = process.env.BENCH_ONLY?.trim();
  if (raw === undefined || raw === '') return undefined;
  const steps = raw.split(',').map((s) => s.trim());
  for (const step of steps) {
    if (!(STEPS as readonly string[]).includes(step)) throw new Error(`BENCH_ONLY: unknown step "${step}" (steps: ${STEPS.join(', ')})`);
  }
  return steps as Step[];
}

function positive(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) throw new Error(`${name} must be a non-negative number, got "${raw}"`);
  return value;
}

export function readSettings(): Settings {
  const cores = availableParallelism();
  const url = process.env.DATABASE_URL?.trim();
  return {
    rounds: Math.max(1, Math.floor(positive('BENCH_ROUNDS', 6))),
    segmentSeconds: Math.max(0.5, positive('BENCH_SEGMENT', 2)),
    largeUsers: Math.floor(positive('BENCH_LARGE_USERS', 1_000_000)),
    smallUsers: 1000,
    readConnections: 10,
    readSessions: 100,
    hashConnections: 4 * cores,
    concurrencyLevels: [20, 50, 500],
    databaseUrl: url === undefined || url === '' ? undefined : url,
    cpuProfDir: process.env.BENCH_CPU_PROF?.trim() || undefined,
    cores,
    only: only(),
  };
}

export interface Machine {
  readonly cores: number;
  readonly cpuModel: string;
  readonly memoryGiB: number;
  readonly node: string;
  readonly platform: string;
  /** 1-minute load average when the bench started and when it ended (others' work on a shared machine). */
  readonly loadAverage: { readonly start: number; readonly end?: number };
}

export function loadAverage(): number {
  try {
    return Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]);
  } catch {
    return Number.NaN;
  }
}

export function machine(loadAtStart: number): Machine {
  let cpuModel = 'unknown';
  try {
    cpuModel = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1]?.trim() ?? cpuModel;
  } catch {
    // Not Linux: the model is only informative.
  }
  return {
    cores: availableParallelism(),
    cpuModel,
    memoryGiB: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    loadAverage: { start: loadAtStart, end: loadAverage() },
  };
}
