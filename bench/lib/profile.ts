import { readFileSync } from 'node:fs';

interface Node {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
}

interface Profile {
  readonly startTime: number;
  readonly nodes: readonly Node[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

export interface SelfTime {
  /** Microseconds sampled in the window, idle excluded. */
  readonly busyUs: number;
  readonly idleUs: number;
  readonly byPlace: ReadonlyMap<string, number>;
  readonly byFunction: ReadonlyMap<string, number>;
}

/** node_modules/<package> or the path inside the repo; V8's own work ('(program)', '(garbage collector)') as is. */
function where(url: string): string {
  if (url === '') return '(native/V8)';
  const modules = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (modules?.[1] !== undefined) return modules[1];
  if (url.startsWith('node:')) return url;
  if (url.endsWith('/dist/gatehouse.mjs')) return 'gatehouse (src/, bundled)';
  const repo = /\/(src|bench|test)\/.*$/.exec(url);
  return repo?.[0].slice(1) ?? url;
}

function add(map: Map<string, number>, key: string, us: number): void {
  map.set(key, (map.get(key) ?? 0) + us);
}

/**
 * Self time of a V8 .cpuprofile, by package and by function, for samples taken between `fromUs`
 * and `toUs` (microseconds on the profile's clock, which is process.hrtime's; undefined = all).
 */
export function selfTime(path: string, fromUs?: number, toUs?: number): SelfTime {
  const profile = JSON.parse(readFileSync(path, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const byPlace = new Map<string, number>();
  const byFunction = new Map<string, number>();
  let at = profile.startTime;
  let busyUs = 0;
  let idleUs = 0;
  profile.samples.forEach((id, i) => {
    const delta = profile.timeDeltas[i] ?? 0;
    at += delta;
    if ((fromUs !== undefined && at < fromUs) || (toUs !== undefined && at > toUs)) return;
    const frame = byId.get(id)?.callFrame;
    if (frame === undefined) return;
    if (frame.functionName === '(idle)') {
      idleUs += delta;
      return;
    }
    busyUs += delta;
    add(byFunction, `${frame.functionName || '(anonymous)'}  ${where(frame.url)}:${frame.lineNumber + 1}`, delta);
    add(byPlace, where(frame.url), delta);
  });
  return { busyUs, idleUs, byPlace, byFunction };
}

export function top(map: ReadonlyMap<string, number>, limit: number): Array<[string, number]> {
  return [...map].sort((a, b) => b[1] - a[1]).slice(0, limit);
}
