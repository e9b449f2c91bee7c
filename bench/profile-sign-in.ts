/**
 * Where a sign-in's CPU goes, outside the hash: `npx tsx bench/profile-sign-in.ts [seconds] [me]`
 * (with DATABASE_URL for PostgreSQL; `me`: GET /auth/me at 10 connections instead). Starts the production bundle with --cpu-prof and 1,000
 * users, warms it up, drives sign-ins at 8 connections, and prints per sign-in: the CPU split
 * (event loop, other threads, database server, load generator, other processes, from /proc) and
 * the event loop's self time by package and by function in that window (from the V8 profile).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CpuSampler } from './lib/cpu.ts';
import { Databases } from './lib/databases.ts';
import { loginBody, prepareGatehouse, sessionsOf } from './lib/gatehouse-setup.ts';
import { LOGIN } from './lib/groups.ts';
import { runLoad } from './lib/load.ts';
import { REPO_ROOT } from './lib/proc.ts';
import { selfTime, top } from './lib/profile.ts';

const seconds = Number(process.argv[2] ?? '10');
const reads = process.argv[3] === 'me';
const connections = Number(process.env.PROFILE_CONNECTIONS ?? (reads ? '10' : '8'));
execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: REPO_ROOT, stdio: 'inherit' });
const databases = new Databases(process.env.DATABASE_URL?.trim() || undefined);
const profDir = mkdtempSync(join(tmpdir(), 'profile-sign-in-'));
const gatehouse = await prepareGatehouse(databases, 'gatehouse', 1000, profDir);
const { baseUrl } = gatehouse.server;
const bearers = reads ? (await sessionsOf(gatehouse, 100)).map((t) => `Bearer ${t.accessToken}`) : [];
let turn = 0;
const spec = (durationSeconds: number): Parameters<typeof runLoad>[0] =>
  reads
    ? {
        baseUrl,
        method: 'GET',
        path: '/auth/me',
        connections,
        durationSeconds,
        prepare: () => {
          turn = (turn + 1) % bearers.length;
          return { headers: { authorization: bearers[turn] ?? '' } };
        },
      }
    : {
        baseUrl,
        method: 'POST',
        path: LOGIN,
        connections,
        durationSeconds,
        prepare: () => ({ body: loginBody(gatehouse.clientId, 1 + Math.floor(Math.random() * gatehouse.seeded)) }),
      };
const microseconds = (): number => Number(process.hrtime.bigint() / 1000n);

/** CPU ticks of each thread of a process, added up by thread name (hash workers, GC helpers, libuv pool). */
function threadTicks(pid: number): Map<string, number> {
  const byName = new Map<string, number>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // Hash workers are the threads that lowered their priority (nice 10, field 19).
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const name =
        tid === String(pid)
          ? 'event loop'
          : fields[16] === '10'
            ? 'hash workers'
            : comm === 'node'
              ? 'other node threads (V8 GC helpers, libuv pool)'
              : comm;
      byName.set(name, (byName.get(name) ?? 0) + Number(fields[11]) + Number(fields[12]));
    } catch {
      // The thread ended meanwhile.
    }
  }
  return byName;
}
let report = '';
try {
  await runLoad(spec(3));
  const database = await databases.serverPids('gatehouse');
  const from = microseconds();
  const sampler = new CpuSampler({ server: gatehouse.server.child.pid, database });
  const threadsBefore = threadTicks(gatehouse.server.child.pid);
  const load = await runLoad(spec(seconds));
  const threadsAfter = threadTicks(gatehouse.server.child.pid);
  const cpu = sampler.stop();
  const to = microseconds();
  const n = load.requests;
  const ms = (cores: number): string => ((cores * cpu.wallSeconds * 1000) / n).toFixed(2);
  report += `${databases.kind}: ${n} ${reads ? 'reads' : 'sign-ins'} in ${cpu.wallSeconds} s (${load.okRps}/s, non-2xx ${load.non2xx}), ${connections} connections\n`;
  report += `CPU per sign-in, ms: event loop ${ms(cpu.serverLoopCores)}, other threads (hashing, GC) ${ms(cpu.serverOtherCores)}, database server ${ms(cpu.databaseCores)}, load generator ${ms(cpu.generatorCores)}, other processes ${ms(cpu.foreignCores)}\n`;
  report += `server threads, CPU ms per sign-in: ${[...threadsAfter]
    .map(([name, ticks]) => [name, ((ticks - (threadsBefore.get(name) ?? 0)) * 10) / n] as const)
    .filter(([, value]) => value > 0)
    .sort((a, b) => b[1] - a[1])
    .map(([name, value]) => `${name} ${value.toFixed(2)}`)
    .join(', ')}\n`;
  await gatehouse.server.child.stop();
  // The main thread's profile of the last server start (thread 0 of the newest process).
  const files = readdirSync(profDir).filter((f) => f.endsWith('.cpuprofile'));
  const pid = String(gatehouse.server.child.pid);
  const main = files.find((f) => f.split('.')[3] === pid && f.split('.')[4] === '0');
  if (main === undefined) throw new Error(`no main-thread profile for pid ${pid} in ${profDir}`);
  const self = selfTime(join(profDir, main), from, to);
  report += `event loop, sampled: ${(self.busyUs / 1000 / n).toFixed(2)} ms busy per sign-in (profile ${main})\n`;
  for (const [title, map, limit] of [
    ['by package', self.byPlace, 20],
    ['by function', self.byFunction, 40],
  ] as const) {
    report += `\nevent-loop self time ${title}, ms per sign-in\n`;
    for (const [key, us] of top(map, limit))
      report += `${(us / 1000 / n).toFixed(3).padStart(8)}  ${((us / self.busyUs) * 100).toFixed(1).padStart(5)}%  ${key}\n`;
  }
} finally {
  await gatehouse.stop();
  await databases.dropAll();
}
process.stdout.write(report);
