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
 * Resident WebAssembly linear memory of a process, in MB. V8 reserves each wasm memory with a
 * guard region of several GiB: the accessible part is a read-write mapping directly followed by
 * an inaccessible one of 4 GiB or more, which nothing else in a Node process has. In Gatehouse
 * that memory is PGlite's Postgres heap (shared buffers, caches, plans); its compiled code is
 * not included.
 */
export function wasmResidentMb(pid: number): number | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/smaps`, 'utf8');
  } catch {
    return undefined;
  }
  const maps: Array<{ start: number; end: number; perms: string; rssKb: number }> = [];
  for (const line of text.split('\n')) {
    const header = /^([0-9a-f]+)-([0-9a-f]+) (\S+) /.exec(line);
    if (header !== null) {
      maps.push({
        start: Number.parseInt(header[1] ?? '0', 16),
        end: Number.parseInt(header[2] ?? '0', 16),
        perms: header[3] ?? '',
        rssKb: 0,
      });
      continue;
    }
    const last = maps[maps.length - 1];
    if (last !== undefined && line.startsWith('Rss:')) last.rssKb = Number(/(\d+)/.exec(line)?.[1] ?? '0');
  }
  let kb = 0;
  maps.forEach((map, index) => {
    const next = maps[index + 1];
    if (
      map.perms.startsWith('rw') &&
      next !== undefined &&
      next.start === map.end &&
      next.perms.startsWith('---') &&
      next.end - next.start >= 4 * 1024 ** 3
    )
      kb += map.rssKb;
  });
  return Math.round((kb / 1024) * 10) / 10;
}
