import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { CpuUse } from './cpu.ts';
import type { LoadResult } from './load.ts';
import { loopMsPerRequest } from './scenario.ts';
import type { Machine, Settings } from './settings.ts';

export interface ScenarioResult {
  readonly id: string;
  readonly title: string;
  readonly server: 'gatehouse' | 'better-auth' | 'http-floor';
  /** Users stored when the scenario ran (Gatehouse only). */
  readonly users?: number;
  readonly connections: number;
  readonly load: LoadResult;
  readonly peakRssMb: number;
  /** The server's CPU over the scenario (Linux only). */
  readonly cpu?: CpuUse;
}

export interface Limits {
  readonly hash: {
    readonly loops: number;
    readonly argon2idVerifyPerSecond: number;
    readonly scryptPerSecond: number;
    /** CPU other processes used meanwhile, in cores (approximate: the loops are assumed to use all of theirs). */
    readonly foreignCores: number;
  };
  readonly httpFloorRps: number | undefined;
}

export interface Target {
  readonly name: string;
  readonly measured: string;
  readonly required: string;
  /** undefined: not measured in this run (a scenario was skipped or failed). */
  readonly met: boolean | undefined;
}

export interface Report {
  readonly startedAt: string;
  readonly elapsedSeconds: number;
  readonly machine: Machine;
  readonly settings: Settings;
  readonly database: 'pglite' | 'postgres';
  readonly limits: Limits;
  readonly scenarios: readonly ScenarioResult[];
  readonly targets: readonly Target[];
  readonly notes: readonly string[];
}

const fmt = (value: number, digits = 1): string => (Number.isFinite(value) ? value.toFixed(digits) : '-');

function errorsCell(load: LoadResult): string {
  return `${load.socketErrors}/${load.timeouts}`;
}

function statusCell(load: LoadResult): string {
  const others = Object.entries(load.statusCodes).filter(([code]) => !code.startsWith('2'));
  return others.length === 0 ? '0' : others.map(([code, count]) => `${count}x${code}`).join(' ');
}

function table(rows: readonly (readonly string[])[]): string {
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length))) ?? [];
  const line = (row: readonly string[]): string => `| ${row.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  const rule = `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`;
  const [head, ...body] = rows;
  return [line(head ?? []), rule, ...body.map(line)].join('\n');
}

/** The scenario table and the target table, as Markdown (readable on a terminal, pasteable into BENCHMARKS.md). */
export function renderTables(report: Report): string {
  const scenarios = table([
    ['scenario', 'server', 'users', 'conns', '2xx req/s', 'p50 ms', 'p99 ms', 'non-2xx', 'sock err/timeouts', 'peak RSS MB', 'CPU loop+other', 'loop ms/req', 'other procs CPU'],
    ...report.scenarios.map((s) => [
      s.title,
      s.server,
      s.users === undefined ? '' : String(s.users),
      String(s.connections),
      fmt(s.load.okRps),
      fmt(s.load.p50Ms, 0),
      fmt(s.load.p99Ms, 0),
      statusCell(s.load),
      errorsCell(s.load),
      fmt(s.peakRssMb),
      s.cpu === undefined ? '-' : `${fmt(s.cpu.serverLoopCores, 2)}+${fmt(s.cpu.serverOtherCores, 2)}`,
      fmt(loopMsPerRequest(s) ?? Number.NaN, 2),
      s.cpu === undefined ? '-' : fmt(s.cpu.foreignCores, 2),
    ]),
  ]);
  const limits = table([
    ['limit', 'value'],
    [`argon2id verify/s, ${report.limits.hash.loops} loops (m=19456,t=2,p=1)`, fmt(report.limits.hash.argon2idVerifyPerSecond)],
    [`scrypt/s, ${report.limits.hash.loops} loops (better-auth: N=16384,r=16,p=1)`, fmt(report.limits.hash.scryptPerSecond)],
    ['HTTP floor req/s (bare Fastify 5 route)', report.limits.httpFloorRps === undefined ? '-' : fmt(report.limits.httpFloorRps)],
  ]);
  const targets = table([
    ['target', 'measured', 'required', 'result'],
    ...report.targets.map((t) => [t.name, t.measured, t.required, t.met === undefined ? 'not measured' : t.met ? 'met' : 'MISSED']),
  ]);
  return `${scenarios}\n\n${limits}\n\n${targets}\n`;
}

export function writeJson(path: string, report: Report): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(report, null, 2)}\n`);
}
