import { readFileSync } from 'node:fs';

function statusKb(pid: number, field: 'VmRSS' | 'VmHWM'): number | undefined {
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match?.[1] === undefined ? undefined : Number(match[1]);
  } catch {
    return undefined;
  }
}

/**
 * Peak resident memory of a child over one scenario. VmHWM alone is the peak since the
 * process started, so a later, lighter scenario would inherit an earlier one's peak; the
 * 200 ms VmRSS samples give each scenario its own.
 */
export class RssSampler {
  private peakKb = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly pid: number) {}

  start(): this {
    this.sample();
    this.timer = setInterval(() => this.sample(), 200);
    // Sampling must never keep the bench alive on its own.
    this.timer.unref();
    return this;
  }

  /** Peak in MB; 0 if the process could not be read (not Linux, or already gone). */
  stop(): number {
    this.sample();
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    return Math.round((this.peakKb / 1024) * 10) / 10;
  }

  private sample(): void {
    const kb = statusKb(this.pid, 'VmRSS');
    if (kb !== undefined && kb > this.peakKb) this.peakKb = kb;
  }
}

/** Resident memory of a process now, in MB. */
export function currentRssMb(pid: number): number | undefined {
  const kb = statusKb(pid, 'VmRSS');
  return kb === undefined ? undefined : Math.round((kb / 1024) * 10) / 10;
}

/** Lifetime peak of a child, in MB, read once at the end of a run (a cross-check of the samples). */
export function lifetimePeakMb(pid: number): number | undefined {
  const kb = statusKb(pid, 'VmHWM');
  return kb === undefined ? undefined : Math.round((kb / 1024) * 10) / 10;
}

/**
 * Resident WebAssembly linear memory of a process, in MB: V8 reserves each wasm memory as one
 * mapping of several GiB (the memory plus its guard region), which nothing else in a Node process
 * comes near, so the resident part of such mappings is PGlite's Postgres heap (shared buffers,
 * caches, plans). Its compiled code is not included.
 */
export function wasmResidentMb(pid: number): number | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/smaps`, 'utf8');
  } catch {
    return undefined;
  }
  let big = false;
  let kb = 0;
  for (const line of text.split('\n')) {
    const range = /^([0-9a-f]+)-([0-9a-f]+) /.exec(line);
    if (range !== null) {
      big = Number.parseInt(range[2] ?? '0', 16) - Number.parseInt(range[1] ?? '0', 16) >= 4 * 1024 ** 3;
      continue;
    }
    if (big && line.startsWith('Rss:')) kb += Number(/(\d+)/.exec(line)?.[1] ?? '0');
  }
  return Math.round((kb / 1024) * 10) / 10;
}
