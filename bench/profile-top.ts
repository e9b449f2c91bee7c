/**
 * Where a V8 CPU profile spent its time: `npx tsx bench/profile-top.ts <file.cpuprofile> [N]`.
 * Self time by function and by package/file, so a profile taken with BENCH_CPU_PROF can be
 * read without a browser.
 */
import { readFileSync } from 'node:fs';

interface Node {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  readonly children?: readonly number[];
}

interface Profile {
  readonly nodes: readonly Node[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

const [path, limitArg] = process.argv.slice(2);
if (path === undefined) {
  process.stderr.write('usage: tsx bench/profile-top.ts <file.cpuprofile> [N]\n');
  process.exit(2);
}
const limit = Number(limitArg ?? '25');
const profile = JSON.parse(readFileSync(path, 'utf8')) as Profile;
const byId = new Map(profile.nodes.map((node) => [node.id, node]));

const selfUs = new Map<number, number>();
profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
const total = [...selfUs.values()].reduce((a, b) => a + b, 0);

/** node_modules/<package> or the path inside the repo; V8's own work ('(program)', '(garbage collector)') as is. */
function where(url: string): string {
  if (url === '') return '(native/V8)';
  const modules = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (modules?.[1] !== undefined) return modules[1];
  if (url.startsWith('node:')) return url;
  const repo = /\/(src|bench|test)\/.*$/.exec(url);
  return repo?.[0].slice(1) ?? url;
}

function add(map: Map<string, number>, key: string, us: number): void {
  map.set(key, (map.get(key) ?? 0) + us);
}

const byFunction = new Map<string, number>();
const byPlace = new Map<string, number>();
for (const [id, us] of selfUs) {
  const frame = byId.get(id)?.callFrame;
  if (frame === undefined) continue;
  const place = where(frame.url);
  add(byFunction, `${frame.functionName || '(anonymous)'}  ${place}:${frame.lineNumber + 1}`, us);
  add(byPlace, place, us);
}

function print(title: string, map: Map<string, number>): void {
  process.stdout.write(`\n${title} (of ${(total / 1e6).toFixed(2)} s sampled)\n`);
  for (const [key, us] of [...map].sort((a, b) => b[1] - a[1]).slice(0, limit)) {
    process.stdout.write(`${((us / total) * 100).toFixed(1).padStart(6)}%  ${(us / 1000).toFixed(0).padStart(7)} ms  ${key}\n`);
  }
}

print('self time by package / file', byPlace);
print('self time by function', byFunction);
