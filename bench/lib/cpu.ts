import { readFileSync } from 'node:fs';

/** Linux reports CPU time in USER_HZ ticks, which is 100 on every architecture Node supports. */
const TICK_S = 0.01;

export interface CpuUse {
  readonly wallSeconds: number;
  /** The server's main thread (its event loop), in cores: 1 = one core busy all along. */
  readonly serverLoopCores: number;
  /** The server's other threads (hashing, GC helpers, libuv pool). */
  readonly serverOtherCores: number;
  /** The database server's processes that serve this server (PostgreSQL backends and WAL writer); 0 on PGlite. */
  readonly databaseCores: number;
  /** Load generators: this bench process and its load-generator child. */
  readonly generatorCores: number;
  /** Everything busy on the machine. */
  readonly machineCores: number;
  /** Busy cores none of the above explains: other processes on the machine. */
  readonly foreignCores: number;
}

export function ticks(path: string): number | undefined {
  try {
    // Fields after the parenthesized command name; utime and stime are fields 14 and 15.
    const stat = readFileSync(path, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return undefined;
  }
}

function machineBusyTicks(): number {
  try {
    const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0]?.trim().split(/\s+/).slice(1).map(Number) ?? [];
    const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = cpu;
    return user + nice + system + irq + softirq + steal;
  } catch {
    return 0;
  }
}

export interface CpuTargets {
  /** The server under test (its main thread is read separately). */
  readonly server: number | undefined;
  /** Database server processes working for it. */
  readonly database?: readonly number[];
  /** Load-generator processes other than this one. */
  readonly generators?: readonly number[];
}

interface Snapshot {
  readonly at: number;
  readonly pids: Map<string, number>;
  readonly bench: number;
  readonly machine: number;
}

/**
 * Where the CPU went during one segment: the server's event loop versus its other threads, the
 * database server, the load generators, and the rest of the machine. It turns "sign-in reaches 0.6
 * of the hash limit" into "each sign-in costs the event loop X ms, the database Y ms".
 */
export class CpuSampler {
  private readonly start: Snapshot;

  constructor(private readonly targets: CpuTargets) {
    this.start = this.snapshot();
  }

  stop(): CpuUse {
    const end = this.snapshot();
    const wall = (end.at - this.start.at) / 1000;
    const delta = (key: string): number => {
      const before = this.start.pids.get(key);
      const after = end.pids.get(key);
      return before === undefined || after === undefined ? 0 : after - before;
    };
    const sum = (prefix: string): number =>
      [...this.start.pids.keys()].filter((key) => key.startsWith(prefix)).reduce((total, key) => total + delta(key), 0);
    const cores = (tickCount: number): number => Math.round(((tickCount * TICK_S) / wall) * 100) / 100;
    const main = delta('main');
    const use = {
      wallSeconds: Math.round(wall * 10) / 10,
      serverLoopCores: cores(main),
      serverOtherCores: cores(delta('process') - main),
      databaseCores: cores(sum('db:')),
      generatorCores: Math.round((((end.bench - this.start.bench) / 1e6 + sum('gen:') * TICK_S) / wall) * 100) / 100,
      machineCores: cores(end.machine - this.start.machine),
    };
    const foreign = use.machineCores - use.serverLoopCores - use.serverOtherCores - use.databaseCores - use.generatorCores;
    return { ...use, foreignCores: Math.max(0, Math.round(foreign * 100) / 100) };
  }

  private snapshot(): Snapshot {
    const usage = process.cpuUsage();
    const pids = new Map<string, number>();
    const put = (key: string, path: string): void => {
      const value = ticks(path);
      if (value !== undefined) pids.set(key, value);
    };
    const { server, database = [], generators = [] } = this.targets;
    if (server !== undefined) {
      put('process', `/proc/${server}/stat`);
      put('main', `/proc/${server}/task/${server}/stat`);
    }
    for (const pid of database) put(`db:${pid}`, `/proc/${pid}/stat`);
    for (const pid of generators) put(`gen:${pid}`, `/proc/${pid}/stat`);
    return { at: Date.now(), pids, bench: usage.user + usage.system, machine: machineBusyTicks() };
  }
}

/** Adds up segments' CPU use, weighting each by its length. */
export function combineCpu(uses: readonly CpuUse[]): CpuUse | undefined {
  const wall = uses.reduce((total, use) => total + use.wallSeconds, 0);
  if (uses.length === 0 || wall <= 0) return undefined;
  const mean = (pick: (use: CpuUse) => number): number =>
    Math.round((uses.reduce((total, use) => total + pick(use) * use.wallSeconds, 0) / wall) * 100) / 100;
  return {
    wallSeconds: Math.round(wall * 10) / 10,
    serverLoopCores: mean((u) => u.serverLoopCores),
    serverOtherCores: mean((u) => u.serverOtherCores),
    databaseCores: mean((u) => u.databaseCores),
    generatorCores: mean((u) => u.generatorCores),
    machineCores: mean((u) => u.machineCores),
    foreignCores: mean((u) => u.foreignCores),
  };
}
