import { readFileSync } from 'node:fs';

/** Linux reports CPU time in USER_HZ ticks, which is 100 on every architecture Node supports. */
const TICK_S = 0.01;

export interface CpuUse {
  readonly wallSeconds: number;
  /** The server's main thread (its event loop), in cores: 1 = one core busy all along. */
  readonly serverLoopCores: number;
  /** The server's other threads (hashing, GC helpers, libuv pool). */
  readonly serverOtherCores: number;
  /** This bench process (the load generator, mostly). */
  readonly benchCores: number;
  /** Everything busy on the machine. */
  readonly machineCores: number;
  /** Busy cores the server and the bench do not explain: other processes (or the flood's load child). */
  readonly foreignCores: number;
}

function ticks(path: string): number {
  try {
    // Fields after the parenthesized command name; utime and stime are fields 14 and 15.
    const stat = readFileSync(path, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return 0;
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

interface Snapshot {
  readonly at: number;
  readonly process: number;
  readonly main: number;
  readonly bench: number;
  readonly machine: number;
}

/**
 * Where the CPU went during one scenario: the server's event loop versus its other threads,
 * the load generator, and the rest of the machine. It turns "login reaches 0.6 of the hash
 * limit" into "the event loop needs X ms per login and leaves the hash threads Y cores".
 */
export class CpuSampler {
  private readonly start: Snapshot;

  constructor(private readonly pid: number) {
    this.start = this.snapshot();
  }

  stop(): CpuUse {
    const end = this.snapshot();
    const wall = (end.at - this.start.at) / 1000;
    const cores = (delta: number): number => Math.round(((delta * TICK_S) / wall) * 100) / 100;
    const main = end.main - this.start.main;
    const use = {
      wallSeconds: Math.round(wall * 10) / 10,
      serverLoopCores: cores(main),
      serverOtherCores: cores(end.process - this.start.process - main),
      benchCores: Math.round(((end.bench - this.start.bench) / 1e6 / wall) * 100) / 100,
      machineCores: cores(end.machine - this.start.machine),
    };
    const foreign = use.machineCores - use.serverLoopCores - use.serverOtherCores - use.benchCores;
    return { ...use, foreignCores: Math.max(0, Math.round(foreign * 100) / 100) };
  }

  private snapshot(): Snapshot {
    const usage = process.cpuUsage();
    return {
      at: Date.now(),
      process: ticks(`/proc/${this.pid}/stat`),
      main: ticks(`/proc/${this.pid}/task/${this.pid}/stat`),
      bench: usage.user + usage.system,
      machine: machineBusyTicks(),
    };
  }
}

/** Busy cores on the whole machine from now until `stop` (for a child that exits before we look). */
export function machineBusy(): { stop(): number } {
  const at = Date.now();
  const start = machineBusyTicks();
  return {
    stop: () => Math.round((((machineBusyTicks() - start) * TICK_S) / ((Date.now() - at) / 1000)) * 100) / 100,
  };
}
