import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { CpuUse } from './cpu.ts';
import type { ArmResult, GroupResult } from './interleave.ts';
import type { Machine, Settings } from './settings.ts';
import { spread, type Spread } from './stats.ts';
import type { CheckRow, RatioRow } from './targets.ts';

export interface MemoryFigures {
  /** Peak RSS of the Gatehouse server with 1k users over the whole bench, and in which run. */
  readonly peakRssMb: number;
  readonly peakDuring: string;
  /** Per run (group id): the peak of the 1k server. */
  readonly byGroup: Readonly<Record<string, number>>;
  /** The same for the server with the large user table. */
  readonly largePeakRssMb?: number;
  /** Resident WebAssembly memory (PGlite's Postgres heap) at the end of the bench, from /proc/<pid>/smaps. */
  readonly wasmResidentMb?: number;
  readonly rssAtEndMb?: number;
}

export interface Report {
  readonly startedAt: string;
  readonly elapsedSeconds: number;
  readonly machine: Machine;
  readonly settings: Settings;
  readonly database: 'pglite' | 'postgres';
  readonly groups: readonly GroupResult[];
  readonly ratios: readonly RatioRow[];
  readonly checks: readonly CheckRow[];
  readonly memory: MemoryFigures | undefined;
  readonly notes: readonly string[];
}

const fmt = (value: number, digits = 2): string => (Number.isFinite(value) ? value.toFixed(digits) : '-');

function table(rows: readonly (readonly string[])[]): string {
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length))) ?? [];
  const line = (row: readonly string[]): string => `| ${row.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  const rule = `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`;
  const [head, ...body] = rows;
  return [line(head ?? []), rule, ...body.map(line)].join('\n');
}

function result(met: boolean | undefined, hasTarget: boolean): string {
  if (!hasTarget) return 'no target';
  return met === undefined ? 'not measured' : met ? 'met' : 'MISSED';
}

export function spreadCell(s: Spread | undefined, digits = 2): string {
  if (s === undefined || s.n === 0) return '-';
  return `${fmt(s.min, digits)}–${fmt(s.max, digits)} (IQR ${fmt(s.q1, digits)}–${fmt(s.q3, digits)})`;
}

/** Milliseconds of CPU per answered request, by who spent it, over all of an arm's segments. */
export interface CpuPerRequest {
  readonly requests: number;
  readonly loopMs: number;
  readonly otherThreadsMs: number;
  readonly databaseMs: number;
  readonly generatorMs: number;
  readonly foreignMs: number;
}

export function cpuPerRequest(arm: ArmResult): CpuPerRequest | undefined {
  const cpu: CpuUse | undefined = arm.cpu;
  const answered = arm.segments.reduce((total, s) => total + s.load.requests, 0);
  if (cpu === undefined || answered === 0) return undefined;
  const ms = (cores: number): number => Math.round(((cores * cpu.wallSeconds * 1000) / answered) * 100) / 100;
  return {
    requests: answered,
    loopMs: ms(cpu.serverLoopCores),
    otherThreadsMs: ms(cpu.serverOtherCores),
    databaseMs: ms(cpu.databaseCores),
    generatorMs: ms(cpu.generatorCores),
    foreignMs: ms(cpu.foreignCores),
  };
}

export function renderTables(report: Report): string {
  const ratios = table([
    ['ratio (median of per-round ratios)', 'median', 'spread: min–max (IQR)', 'rounds', 'target', 'result'],
    ...report.ratios.map((r) => [
      r.name,
      fmt(r.ratio?.median ?? Number.NaN),
      spreadCell(r.ratio),
      String(r.ratio?.n ?? 0),
      r.min === undefined ? (r.note ?? '') : `>= ${r.min}`,
      result(r.met, r.min !== undefined),
    ]),
  ]);
  const checks = table([
    ['target', 'measured', 'required', 'result'],
    ...report.checks.map((c) => [c.name, c.measured, c.required, result(c.met, true)]),
  ]);
  const armRows: string[][] = [];
  for (const group of report.groups) {
    for (const arm of Object.values(group.arms)) {
      const loads = arm.segments.map((s) => s.load);
      const cpu = arm.cpu;
      const per = cpuPerRequest(arm);
      const non2xx = loads.reduce((total, l) => total + l.non2xx, 0);
      armRows.push([
        group.id,
        arm.id,
        fmt(arm.okRps.median, 1),
        spreadCell(arm.okRps, 1),
        fmt(spread(loads.map((l) => l.p50Ms)).median, 0),
        fmt(spread(loads.map((l) => l.p99Ms)).median, 0),
        String(non2xx),
        cpu === undefined ? '-' : `${fmt(cpu.serverLoopCores)}+${fmt(cpu.serverOtherCores)}+${fmt(cpu.databaseCores)}`,
        cpu === undefined ? '-' : `${fmt(cpu.generatorCores)}/${fmt(cpu.foreignCores)}`,
        per === undefined ? '-' : `${fmt(per.loopMs)}/${fmt(per.otherThreadsMs)}/${fmt(per.databaseMs)}`,
      ]);
    }
  }
  const arms = table([
    [
      'run',
      'arm',
      '2xx/s median',
      'min–max (IQR)',
      'p50 ms',
      'p99 ms',
      'non-2xx',
      'cores loop+threads+db',
      'cores gen/others',
      'ms/req loop/threads/db',
    ],
    ...armRows,
  ]);
  const memory = report.memory;
  const memoryText =
    memory === undefined
      ? ''
      : `\nGatehouse peak RSS: ${memory.peakRssMb} MB (during ${memory.peakDuring}; target < 250 MB: ${memory.peakRssMb < 250 ? 'met' : 'MISSED'})` +
        `; by run: ${Object.entries(memory.byGroup)
          .map(([id, mb]) => `${id} ${mb}`)
          .join(', ')}` +
        (memory.largePeakRssMb === undefined ? '' : `; server with the large table: ${memory.largePeakRssMb} MB`) +
        (memory.wasmResidentMb === undefined
          ? ''
          : `; at the end ${memory.rssAtEndMb} MB, of which PGlite's WebAssembly heap ${memory.wasmResidentMb} MB`) +
        '\n';
  return `${ratios}\n\n${checks}\n\n${arms}\n${memoryText}`;
}

export function writeJson(path: string, report: Report): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(report, null, 2)}\n`);
}
