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

/** Lifetime peak of a child, in MB, read once at the end of a run (a cross-check of the samples). */
export function lifetimePeakMb(pid: number): number | undefined {
  const kb = statusKb(pid, 'VmHWM');
  return kb === undefined ? undefined : Math.round((kb / 1024) * 10) / 10;
}
