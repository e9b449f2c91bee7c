import { readFileSync } from 'node:fs';
import { availableParallelism, totalmem } from 'node:os';

export interface Settings {
  /** Seconds per scenario (BENCH_DURATION). */
  readonly duration: number;
  /** Stored users for the large run (BENCH_LARGE_USERS; 0 skips it). */
  readonly largeUsers: number;
  readonly smallUsers: number;
  /** Connections for cheap requests (reads, the floor, get-session), as autocannon's default. */
  readonly readConnections: number;
  /**
   * Distinct sessions the authenticated reads cycle through. More than the connections, so a
   * server's per-token or per-user caches see a spread of users rather than ten hot ones.
   */
  readonly readSessions: number;
  /**
   * Connections for hashing requests: enough to keep every hash slot busy while others wait
   * on the database, and far under the server's queue limit (8 x cores), so nothing is shed.
   */
  readonly hashConnections: number;
  /** Flood: 10x what the server admits at once (HASH_CONCURRENCY + HASH_QUEUE_LIMIT defaults). */
  readonly floodConnections: number;
  readonly databaseUrl: string | undefined;
  /** BENCH_CPU_PROF=dir: the Gatehouse child writes V8 CPU profiles there (one per server start). */
  readonly cpuProfDir: string | undefined;
  readonly cores: number;
  /** BENCH_ONLY=login,read,...: run only these steps (for profiling one scenario); undefined = all. */
  readonly only: readonly Step[] | undefined;
}

export const STEPS = ['hash', 'floor', 'login', 'register', 'refresh', 'read', 'flood', 'large', 'peer'] as const;
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
  const admitted = cores + cores * 8;
  const url = process.env.DATABASE_URL?.trim();
  return {
    duration: positive('BENCH_DURATION', 8),
    largeUsers: Math.floor(positive('BENCH_LARGE_USERS', 1_000_000)),
    smallUsers: 1000,
    readConnections: 10,
    readSessions: 100,
    hashConnections: 4 * cores,
    floodConnections: 10 * admitted,
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
}

export function machine(): Machine {
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
  };
}
