import { combineCpu, CpuSampler, type CpuTargets, type CpuUse } from './cpu.ts';
import type { LoadResult } from './load.ts';
import { log } from './scenario.ts';
import { ratios, spread, type Spread } from './stats.ts';

/** One thing measured in segments: a server's scenario, or a floor (the hash limit, a bare route). */
export interface Arm {
  readonly id: string;
  readonly title: string;
  /** Whose CPU this arm's figures are charged to (read at each segment's start and end). */
  cpu(): Promise<CpuTargets>;
  /** Runs one segment of `seconds` and answers what it measured (okRps is the figure ratios use). */
  run(seconds: number): Promise<ArmLoad>;
  /** Waits after the segment until work left queued in the server cannot spill into the next arm's. */
  settle?(): Promise<void>;
}

/** A segment's load, with the probes that ran beside it (the load-shedding levels). */
export type ArmLoad = LoadResult & { readonly probes?: Readonly<Record<string, LoadResult>> };

export interface Segment {
  readonly round: number;
  readonly load: ArmLoad;
  readonly cpu: CpuUse;
}

export interface ArmResult {
  readonly id: string;
  readonly title: string;
  readonly segments: readonly Segment[];
  /** The arm's 2xx rate per segment, summarized. */
  readonly okRps: Spread;
  readonly cpu: CpuUse | undefined;
}

export interface GroupSpec {
  readonly id: string;
  readonly title: string;
  readonly arms: readonly Arm[];
  readonly rounds: number;
  readonly segmentSeconds: number;
  /** Seconds of each arm run once, unmeasured, before the rounds (JIT, caches, pools). */
  readonly warmupSeconds: number;
}

export interface GroupResult {
  readonly id: string;
  readonly title: string;
  readonly rounds: number;
  readonly segmentSeconds: number;
  /** The arms' order in each round. */
  readonly order: readonly (readonly string[])[];
  readonly arms: Readonly<Record<string, ArmResult>>;
  readonly elapsedSeconds: number;
}

async function segment(arm: Arm, seconds: number, round: number): Promise<Segment> {
  const sampler = new CpuSampler(await arm.cpu());
  const load = await arm.run(seconds);
  const cpu = sampler.stop();
  await arm.settle?.();
  return { round, load, cpu };
}

/**
 * Runs the arms in alternation: every round runs each arm for one short segment, forwards on even
 * rounds and backwards on odd ones (A B C, C B A, …), so a drift of the machine's speed over the
 * run weighs on every arm alike. A ratio is then taken within each round and summarized over the
 * rounds (median and spread), instead of dividing figures measured minutes apart.
 */
export async function runInterleaved(spec: GroupSpec): Promise<GroupResult> {
  const started = Date.now();
  log(
    `${spec.title}: ${spec.arms.length} arms, ${spec.rounds} rounds of ${spec.segmentSeconds} s each (warm-up ${spec.warmupSeconds} s each)`,
  );
  if (spec.warmupSeconds > 0) for (const arm of spec.arms) await segment(arm, spec.warmupSeconds, -1);
  const segments = new Map<string, Segment[]>(spec.arms.map((arm) => [arm.id, []]));
  const order: string[][] = [];
  for (let round = 0; round < spec.rounds; round += 1) {
    const arms = round % 2 === 0 ? [...spec.arms] : [...spec.arms].reverse();
    order.push(arms.map((arm) => arm.id));
    const line: string[] = [];
    for (const arm of arms) {
      const result = await segment(arm, spec.segmentSeconds, round);
      segments.get(arm.id)?.push(result);
      line.push(`${arm.id} ${result.load.okRps}/s${result.load.non2xx > 0 ? ` (+${result.load.non2xx} non-2xx)` : ''}`);
    }
    log(`  round ${round + 1}: ${line.join(', ')}`);
  }
  const arms: Record<string, ArmResult> = {};
  for (const arm of spec.arms) {
    const list = segments.get(arm.id) ?? [];
    arms[arm.id] = {
      id: arm.id,
      title: arm.title,
      segments: list,
      okRps: spread(list.map((s) => s.load.okRps)),
      cpu: combineCpu(list.map((s) => s.cpu)),
    };
  }
  return {
    id: spec.id,
    title: spec.title,
    rounds: spec.rounds,
    segmentSeconds: spec.segmentSeconds,
    order,
    arms,
    elapsedSeconds: Math.round((Date.now() - started) / 1000),
  };
}

/** Per-round okRps of `numerator` over `denominator`, summarized. */
export function roundRatios(group: GroupResult, numerator: string, denominator: string): Spread {
  const a = group.arms[numerator]?.segments ?? [];
  const b = group.arms[denominator]?.segments ?? [];
  const rounds = Math.min(a.length, b.length);
  return spread(
    ratios(
      a.slice(0, rounds).map((s) => s.load.okRps),
      b.slice(0, rounds).map((s) => s.load.okRps),
    ),
  );
}
