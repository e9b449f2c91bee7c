import type { MixResult } from './soak-mix.ts';

/** One line of bench/lib/soak-probe.mjs: the server's event-loop delay and RSS over 5 s. */
export interface ProbeLine {
  readonly at: number;
  readonly samples: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  readonly rssMb: number;
  readonly heapUsedMb: number;
  readonly externalMb: number;
  readonly arrayBuffersMb: number;
}

export const TARGETS = { rssGrowthPercent: 5, eventLoopP99Ms: 20 } as const;

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

const round = (value: number, digits = 1): number => Math.round(value * 10 ** digits) / 10 ** digits;

export interface SoakReport {
  readonly passed: boolean;
  readonly text: string;
  readonly [key: string]: unknown;
}

/**
 * The soak's figures after warm-up. RSS growth compares the median of the first 30 s of probes
 * with the median of the last 30 s (single samples jump with GC). Event-loop delay: the p99 of each
 * 5 s interval; the target is on the worst interval, the median interval is shown beside it.
 */
export function summarize(input: {
  readonly database: string;
  readonly minutes: number;
  readonly warmupSeconds: number;
  readonly rate: number;
  readonly capacityOkRps: number | undefined;
  readonly connections: number;
  readonly soak: MixResult;
  readonly probes: readonly ProbeLine[];
  readonly loadAverage: { readonly start: string; readonly end: string };
  readonly node: string;
}): SoakReport {
  const { soak, probes } = input;
  const window = Math.min(6, Math.max(1, Math.floor(probes.length / 3)));
  const rssStart = median(probes.slice(0, window).map((p) => p.rssMb));
  const rssEnd = median(probes.slice(-window).map((p) => p.rssMb));
  const rssGrowthPercent = ((rssEnd - rssStart) / rssStart) * 100;
  const heapStart = median(probes.slice(0, window).map((p) => p.heapUsedMb));
  const heapEnd = median(probes.slice(-window).map((p) => p.heapUsedMb));
  const p99s = probes.map((p) => p.p99Ms);
  const worstP99 = Math.max(...p99s);
  const medianP99 = median(p99s);
  const maxDelay = Math.max(...probes.map((p) => p.maxMs));
  const count = (statuses: Record<string, number>, test: (status: number) => boolean): number =>
    Object.entries(statuses).reduce((sum, [status, n]) => sum + (test(Number(status)) ? n : 0), 0);
  const measured = soak.statuses.measured;
  const fiveXx = count(measured, (status) => status >= 500);
  const failed = count(measured, (status) => status < 200 || status >= 300);
  const fiveXxWarmup = count(soak.statuses.warmup, (status) => status >= 500);
  const failedWarmup = count(soak.statuses.warmup, (status) => status < 200 || status >= 300);
  const socketFailures = soak.errors + soak.timeouts;
  const checks = {
    rssGrowth: rssGrowthPercent < TARGETS.rssGrowthPercent,
    eventLoopP99: worstP99 < TARGETS.eventLoopP99Ms,
    no5xx: fiveXx === 0,
    noFailedRequest: failed === 0 && socketFailures === 0,
  };
  const passed = Object.values(checks).every(Boolean) && probes.length > 0;
  const mark = (ok: boolean): string => (ok ? 'met' : 'MISSED');
  const text = [
    `Soak on ${input.database}: ${input.minutes} min (${input.warmupSeconds} s warm-up) at ${input.rate} requests/s` +
      (input.capacityOkRps === undefined ? ' (given)' : ` (half of the measured ${round(input.capacityOkRps, 0)}/s)`) +
      `, ${input.connections} connections, Node ${input.node}, load average ${input.loadAverage.start} → ${input.loadAverage.end}`,
    `requests: ${soak.requests} (${round(soak.rps)}/s; me ${soak.byKind.me}, refresh ${soak.byKind.refresh}, sign-in ${soak.byKind.signIn}, register ${soak.byKind.register}); client p99 latency ${soak.p99Ms} ms`,
    `RSS after warm-up ${round(rssStart)} MB → end ${round(rssEnd)} MB: ${round(rssGrowthPercent, 2)} % (target < ${TARGETS.rssGrowthPercent} %): ${mark(checks.rssGrowth)}; JS heap used ${round(heapStart)} → ${round(heapEnd)} MB`,
    `event-loop delay p99 per 5 s: worst ${round(worstP99)} ms, median ${round(medianP99)} ms, max single delay ${round(maxDelay)} ms (target < ${TARGETS.eventLoopP99Ms} ms): ${mark(checks.eventLoopP99)}`,
    `5xx after warm-up: ${fiveXx} (during warm-up ${fiveXxWarmup}): ${mark(checks.no5xx)}`,
    `failed after warm-up: ${failed} non-2xx, ${soak.errors} socket errors and ${soak.timeouts} timeouts over the whole run (non-2xx during warm-up ${failedWarmup}): ${mark(checks.noFailedRequest)}`,
    `status codes after warm-up: ${JSON.stringify(measured)}`,
  ].join('\n');
  return {
    passed,
    text,
    database: input.database,
    minutes: input.minutes,
    rate: input.rate,
    capacityOkRps: input.capacityOkRps,
    rssStartMb: round(rssStart),
    rssEndMb: round(rssEnd),
    rssGrowthPercent: round(rssGrowthPercent, 2),
    heapUsedStartMb: round(heapStart),
    heapUsedEndMb: round(heapEnd),
    eventLoopP99WorstMs: round(worstP99),
    eventLoopP99MedianMs: round(medianP99),
    fiveXx,
    failed,
    socketErrors: soak.errors,
    timeouts: soak.timeouts,
    statuses: soak.statuses,
    byKind: soak.byKind,
    loadAverage: input.loadAverage,
    checks,
    probes,
  };
}
