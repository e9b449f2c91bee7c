/**
 * Where a V8 CPU profile spent its time: `npx tsx bench/profile-top.ts <file.cpuprofile> [N]`.
 * Self time by function and by package/file, idle excluded, so a profile taken with
 * BENCH_CPU_PROF can be read without a browser.
 */
import { selfTime, top } from './lib/profile.ts';

const [path, limitArg] = process.argv.slice(2);
if (path === undefined) {
  process.stderr.write('usage: tsx bench/profile-top.ts <file.cpuprofile> [N]\n');
  process.exit(2);
}
const limit = Number(limitArg ?? '25');
const profile = selfTime(path);
for (const [title, map] of [
  ['self time by package / file', profile.byPlace],
  ['self time by function', profile.byFunction],
] as const) {
  process.stdout.write(`\n${title} (${(profile.busyUs / 1e6).toFixed(2)} s busy, ${(profile.idleUs / 1e6).toFixed(2)} s idle)\n`);
  for (const [key, us] of top(map, limit)) {
    process.stdout.write(`${((us / profile.busyUs) * 100).toFixed(1).padStart(6)}%  ${(us / 1000).toFixed(0).padStart(7)} ms  ${key}\n`);
  }
}
