import { runLoad, type LoadResult, type LoadSpec } from './load.ts';
import type { Child } from './proc.ts';
import type { ScenarioResult } from './report.ts';
import { CpuSampler } from './cpu.ts';
import { RssSampler } from './rss.ts';

/** Progress goes to stderr so stdout carries only the final tables. */
export function log(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}

export interface Measure {
  readonly id: string;
  readonly title: string;
  readonly server: ScenarioResult['server'];
  readonly child: Child;
  readonly users?: number;
}

export function summary(load: LoadResult): string {
  return `${load.okRps} 2xx/s, p50 ${load.p50Ms} ms, p99 ${load.p99Ms} ms, non-2xx ${load.non2xx}, errors ${load.socketErrors}/${load.timeouts}`;
}

/** Event-loop CPU per answered request: what a request costs the one thread every request shares. */
export function loopMsPerRequest(result: Pick<ScenarioResult, 'cpu' | 'load'>): number | undefined {
  if (result.cpu === undefined || result.load.requests === 0) return undefined;
  return Math.round(((result.cpu.serverLoopCores * result.cpu.wallSeconds * 1000) / result.load.requests) * 100) / 100;
}

export function cpuSummary(result: Pick<ScenarioResult, 'cpu' | 'load'>): string {
  const cpu = result.cpu;
  if (cpu === undefined) return 'cpu n/a';
  return `server loop ${cpu.serverLoopCores} + other threads ${cpu.serverOtherCores} cores, bench ${cpu.benchCores}, others ${cpu.foreignCores} cores, loop ${loopMsPerRequest(result) ?? '-'} ms/req`;
}

/** Runs one load against one server while sampling that server's memory. */
export async function measure(what: Measure, spec: LoadSpec): Promise<ScenarioResult> {
  const rss = new RssSampler(what.child.pid).start();
  const cpu = new CpuSampler(what.child.pid);
  let load: LoadResult;
  try {
    load = await runLoad(spec);
  } catch (error) {
    rss.stop();
    throw error;
  }
  const peakRssMb = rss.stop();
  const cpuUse = cpu.stop();
  const result: ScenarioResult = {
    id: what.id,
    title: what.title,
    server: what.server,
    ...(what.users !== undefined && { users: what.users }),
    connections: spec.connections,
    load,
    peakRssMb,
    cpu: cpuUse,
  };
  log(`${what.title}: ${summary(load)}, peak RSS ${result.peakRssMb} MB, ${cpuSummary(result)}`);
  return result;
}
