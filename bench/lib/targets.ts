import { roundRatios, type ArmLoad, type GroupResult } from './interleave.ts';
import type { LoadResult } from './load.ts';
import type { Spread } from './stats.ts';

/** One row of the ratio table: a per-round ratio from one interleaved run, against its target. */
export interface RatioRow {
  readonly group: string;
  readonly name: string;
  readonly numerator: string;
  readonly denominator: string;
  readonly ratio: Spread | undefined;
  /** Required median; undefined = reported without a target (the comparison of hash choices). */
  readonly min?: number;
  readonly met: boolean | undefined;
  readonly note?: string;
}

/** A target that is not a ratio (latencies, refusals, memory), measured in the same runs. */
export interface CheckRow {
  readonly name: string;
  readonly measured: string;
  readonly required: string;
  readonly met: boolean | undefined;
}

function ratioRow(
  groups: ReadonlyMap<string, GroupResult>,
  group: string,
  name: string,
  numerator: string,
  denominator: string,
  min?: number,
  note?: string,
): RatioRow {
  const run = groups.get(group);
  const ratio =
    run?.arms[numerator] !== undefined && run.arms[denominator] !== undefined ? roundRatios(run, numerator, denominator) : undefined;
  const met = ratio === undefined || min === undefined || !Number.isFinite(ratio.median) ? undefined : ratio.median >= min;
  return { group, name, numerator, denominator, ratio, ...(min !== undefined && { min }), met, ...(note !== undefined && { note }) };
}

export function ratioRows(groups: ReadonlyMap<string, GroupResult>): RatioRow[] {
  return [
    ratioRow(groups, 'hash', 'sign-in vs hash limit', 'gh-sign-in', 'hash-limit', 0.8),
    ratioRow(groups, 'hash', 'sign-up vs hash limit', 'gh-sign-up', 'hash-limit', 0.8),
    ratioRow(groups, 'hash', 'sign-in vs better-auth sign-in, equal hash cost', 'gh-sign-in', 'ba-argon2id-sign-in', 1.5),
    ratioRow(groups, 'hash', 'sign-up vs better-auth sign-up, equal hash cost', 'gh-sign-up', 'ba-argon2id-sign-up', 1.5),
    ratioRow(groups, 'hash', 'better-auth sign-in vs hash limit (for reference)', 'ba-argon2id-sign-in', 'hash-limit'),
    ratioRow(groups, 'read', '/auth/me vs bare Fastify route, same body size', 'gh-me', 'floor', 0.5),
    ratioRow(groups, 'read', '/auth/me vs better-auth get-session', 'gh-me', 'ba-argon2id-get-session', 3),
    ratioRow(groups, 'shed', 'successful sign-ins, 500 vs 50 concurrent clients', 'sign-in-500', 'sign-in-50', 0.9),
    ratioRow(groups, 'large', 'sign-in, 1M users vs 1k users', 'gh-1m-sign-in', 'gh-sign-in', 0.9),
    ratioRow(groups, 'large', '/auth/me, 1M users vs 1k users', 'gh-1m-me', 'gh-me', 0.9),
    ratioRow(
      groups,
      'choices',
      'HASH CHOICES: Gatehouse (argon2id) vs better-auth default (scrypt) sign-in',
      'gh-sign-in',
      'ba-scrypt-sign-in',
      undefined,
      'compares hash choices, not servers',
    ),
    ratioRow(
      groups,
      'choices',
      'HASH CHOICES: argon2id limit vs scrypt limit',
      'hash-limit',
      'scrypt-limit',
      undefined,
      'the two hashes alone',
    ),
  ];
}

const P99_MS_AT_ORDINARY_LOAD = 1000;
const PROBE_P99_MS = 50;
export const RSS_LIMIT_MB = 250;

function loads(group: GroupResult | undefined, arm: string): ArmLoad[] {
  return group?.arms[arm]?.segments.map((s) => s.load) ?? [];
}

function worst(values: readonly number[]): number {
  return values.length === 0 ? Number.NaN : Math.max(...values);
}

/** Whether the load-shedding levels behaved: none refused at ordinary load, only refusals (with Retry-After) beyond it. */
export function shedChecks(groups: ReadonlyMap<string, GroupResult>, levels: readonly number[]): CheckRow[] {
  const shed = groups.get('shed');
  if (shed === undefined) return [];
  const rows: CheckRow[] = [];
  const [top] = [...levels].sort((a, b) => b - a);
  for (const level of levels) {
    const segments = loads(shed, `sign-in-${level}`);
    const refused = segments.reduce((total, l) => total + (l.statusCodes['503'] ?? 0), 0);
    const errors = segments.reduce((total, l) => total + l.socketErrors + l.timeouts, 0);
    const other = segments.flatMap((l) => Object.entries(l.statusCodes).filter(([code]) => !code.startsWith('2') && code !== '503'));
    const otherText = other.length === 0 ? '' : `, other: ${other.map(([c, n]) => `${n}x${c}`).join(' ')}`;
    if (level !== top) {
      const p99 = worst(segments.map((l) => l.p99Ms));
      // At this rate `level` clients queue level / rate seconds (Little's law): over 1 s no rule can both serve all and keep p99 < 1 s.
      const rate = shed.arms[`sign-in-${level}`]?.okRps.median ?? Number.NaN;
      rows.push({
        name: `${level} concurrent sign-in clients: no 503, p99 < 1 s`,
        measured: `${refused} x 503, p99 ${p99} ms (worst of ${segments.length} segments); ${rate.toFixed(1)} sign-ins/s, so ${level} clients queue ${(level / rate).toFixed(2)} s${otherText}`,
        required: `0 x 503, p99 < ${P99_MS_AT_ORDINARY_LOAD} ms`,
        met: segments.length === 0 ? undefined : refused === 0 && other.length === 0 && errors === 0 && p99 < P99_MS_AT_ORDINARY_LOAD,
      });
      continue;
    }
    const retry = segments.reduce(
      (acc, l) => ({ with: acc.with + (l.retryAfter?.with ?? 0), without: acc.without + (l.retryAfter?.without ?? 0) }),
      { with: 0, without: 0 },
    );
    rows.push({
      name: `${level} concurrent sign-in clients: the excess refused with 503 + Retry-After`,
      measured: `${refused} x 503 (${retry.without} without Retry-After), ${errors} socket errors/timeouts${otherText}`,
      required: '503s, every one with Retry-After, nothing else',
      met: segments.length === 0 ? undefined : refused > 0 && retry.without === 0 && other.length === 0 && errors === 0,
    });
    for (const probe of ['healthz', 'me'] as const) {
      const probes = segments.map((l) => l.probes?.[probe]).filter((p): p is LoadResult => p !== undefined);
      const p99 = worst(probes.map((p) => p.p99Ms));
      const bad = probes.reduce((total, p) => total + p.non2xx + p.socketErrors + p.timeouts, 0);
      rows.push({
        name: `${level} concurrent sign-in clients: ${probe === 'healthz' ? '/healthz' : '/auth/me'} p99 < 50 ms`,
        measured: `p99 ${p99} ms (worst of ${probes.length} segments), ${bad} failed`,
        required: `< ${PROBE_P99_MS} ms, all 2xx`,
        met: probes.length === 0 ? undefined : p99 < PROBE_P99_MS && bad === 0,
      });
    }
  }
  return rows;
}
