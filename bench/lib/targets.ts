import type { Limits, ScenarioResult, Target } from './report.ts';

const RSS_LIMIT_MB = 250;
const FLOOD_P99_MS = 50;

type Find = (id: string) => ScenarioResult | undefined;

const fmt = (value: number, digits = 2): string => value.toFixed(digits);

/** `value / base >= min`, or not measured when either side is missing. */
function ratio(name: string, value: number | undefined, base: number | undefined, min: number, baseName: string): Target {
  if (value === undefined || base === undefined || !Number.isFinite(base) || base <= 0) return { name, measured: '-', required: `>= ${min} x ${baseName}`, met: undefined };
  const r = value / base;
  return { name, measured: `${fmt(r)} (${value.toFixed(1)} / ${base.toFixed(1)})`, required: `>= ${min}`, met: r >= min };
}

function flood(find: Find): Target[] {
  const login = find('flood-login');
  const probes = [find('flood-healthz'), find('flood-me')];
  const targets: Target[] = probes.map((probe, i) => {
    const name = `flood: ${i === 0 ? '/healthz' : '/auth/me'} p99`;
    if (probe === undefined) return { name, measured: '-', required: `< ${FLOOD_P99_MS} ms`, met: undefined };
    return {
      name,
      measured: `${probe.load.p99Ms} ms (non-2xx ${probe.load.non2xx})`,
      required: `< ${FLOOD_P99_MS} ms, all 2xx`,
      met: probe.load.p99Ms < FLOOD_P99_MS && probe.load.non2xx === 0,
    };
  });
  const all = [login, ...probes].filter((s): s is ScenarioResult => s !== undefined);
  const socket = all.reduce((sum, s) => sum + s.load.socketErrors + s.load.timeouts, 0);
  targets.push({
    name: 'flood: socket errors + timeouts',
    measured: all.length === 0 ? '-' : String(socket),
    required: '0',
    met: all.length === 0 ? undefined : socket === 0,
  });
  if (login === undefined) {
    targets.push({ name: 'flood: excess logins 503 + Retry-After', measured: '-', required: '503s, all with Retry-After', met: undefined });
  } else {
    const shed = login.load.statusCodes['503'] ?? 0;
    const other = Object.entries(login.load.statusCodes).filter(([code]) => code !== '200' && code !== '503');
    const retry = login.load.retryAfter ?? { with: 0, without: 0 };
    targets.push({
      name: 'flood: excess logins 503 + Retry-After',
      measured: `${shed} x 503 (${retry.with} with Retry-After, ${retry.without} without)${other.length > 0 ? `, other: ${other.map(([c, n]) => `${n}x${c}`).join(' ')}` : ''}`,
      required: '503s, all with Retry-After, nothing else',
      met: shed > 0 && retry.without === 0 && other.length === 0,
    });
  }
  return targets;
}

export function evaluateTargets(scenarios: readonly ScenarioResult[], limits: Limits): Target[] {
  const find: Find = (id) => scenarios.find((s) => s.id === id);
  const ok = (id: string): number | undefined => find(id)?.load.okRps;
  const hashLimit = limits.hash.argon2idVerifyPerSecond;
  const targets: Target[] = [
    ratio('login vs hash limit', ok('login-1k'), hashLimit, 0.85, 'argon2id verify/s'),
    ratio('register vs hash limit', ok('register'), hashLimit, 0.85, 'argon2id verify/s'),
    ...flood(find),
    ratio('auth read vs HTTP floor', ok('read-1k'), limits.httpFloorRps, 0.5, 'floor req/s'),
    ratio('login vs better-auth sign-in', ok('login-1k'), ok('ba-sign-in'), 4, 'sign-in'),
    ratio('register vs better-auth sign-up', ok('register'), ok('ba-sign-up'), 4, 'sign-up'),
    ratio('auth read vs better-auth get-session', ok('read-1k'), ok('ba-get-session'), 3, 'get-session'),
    ratio('login at 1M users vs 1k', ok('login-1m'), ok('login-1k'), 0.9, 'the 1k figure'),
    ratio('auth read at 1M users vs 1k', ok('read-1m'), ok('read-1k'), 0.9, 'the 1k figure'),
  ];
  const gatehouse = scenarios.filter((s) => s.server === 'gatehouse');
  const worst = gatehouse.reduce<ScenarioResult | undefined>((w, s) => (w === undefined || s.peakRssMb > w.peakRssMb ? s : w), undefined);
  targets.push({
    name: 'Gatehouse peak RSS, every scenario',
    measured: worst === undefined ? '-' : `${worst.peakRssMb} MB (${worst.title})`,
    required: `< ${RSS_LIMIT_MB} MB`,
    met: worst === undefined ? undefined : worst.peakRssMb < RSS_LIMIT_MB,
  });
  return targets;
}
