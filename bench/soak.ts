/**
 * `npm run soak -- [--minutes 10] [--database pglite|postgres] [--rate R] [--connections 16]`:
 * a bounded soak (issue 12 point 7). Starts the production bundle on a fresh database, measures
 * its capacity for the mixed load briefly (unless --rate is given), then runs the mix (80 % "me"
 * reads, 15 % refreshes, 4 % sign-ins, 1 % registrations) at half of it for the whole duration.
 * After the warm-up it reports the server's RSS growth, its event-loop delay p99 (measured inside
 * the server by bench/lib/soak-probe.mjs), and every 5xx and failed request. Exits 1 on a missed
 * target (RSS growth < 5 %, p99 < 20 ms, no 5xx, no failed request). See SECURITY.md, "Soak".
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Databases } from './lib/databases.ts';
import { defaultClient, newAdminToken, ovokLogin, ovokRegister, startGatehouse, type Gatehouse } from './lib/gatehouse.ts';
import { REPO_ROOT } from './lib/proc.ts';
import { log } from './lib/scenario.ts';
import { runMix, type MixResult, type SoakUser } from './lib/soak-mix.ts';
import { summarize, type ProbeLine } from './lib/soak-report.ts';

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '10' },
    database: { type: 'string' },
    rate: { type: 'string' },
    connections: { type: 'string', default: '16' },
    'capacity-seconds': { type: 'string', default: '20' },
    'warmup-seconds': { type: 'string' },
  },
});
const minutes = Number(values.minutes);
const database = values.database ?? (process.env.DATABASE_URL ? 'postgres' : 'pglite');
if (!(minutes > 0 && minutes <= 24 * 60)) throw new Error('--minutes must be between 0 and 1440');
if (database !== 'pglite' && database !== 'postgres') throw new Error('--database must be pglite or postgres');
if (database === 'postgres' && !process.env.DATABASE_URL)
  throw new Error('--database postgres needs DATABASE_URL (a server where it may create a database)');
const connections = Number(values.connections);
const durationSeconds = Math.round(minutes * 60);
const warmupSeconds = Number(values['warmup-seconds'] ?? Math.min(60, Math.round(durationSeconds / 5)));

execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: REPO_ROOT, stdio: 'inherit' });
const databases = new Databases(database === 'postgres' ? process.env.DATABASE_URL : undefined);
const dataDir = mkdtempSync(join(tmpdir(), 'soak-'));
const probeFile = join(dataDir, 'probe.jsonl');
const loadAtStart = loadavg()
  .map((value) => value.toFixed(2))
  .join(' ');
let server: Gatehouse | undefined;

try {
  const adminToken = newAdminToken();
  server = await startGatehouse({
    dataDir: join(dataDir, 'data'),
    databaseUrl: await databases.create('soak'),
    adminToken,
    cpuProfDir: undefined,
    nodeArgs: ['--import', join(REPO_ROOT, 'bench/lib/soak-probe.mjs')],
    env: { SOAK_PROBE_FILE: probeFile, ...(process.env.REDIS_URL && { REDIS_URL: process.env.REDIS_URL }) },
  });
  const { baseUrl } = server;
  const { clientId } = await defaultClient(baseUrl, adminToken);
  const password = 'soak-password-1234';
  const emails = Array.from({ length: connections * 2 }, (_, i) => `soak.user.${i}.${Date.now()}@example.com`);
  for (const email of emails) await ovokRegister(baseUrl, clientId, email, password);
  /** Fresh sessions for every user (a run leaves the tokens it was given rotated), one at a time. */
  const signInAll = async (): Promise<SoakUser[]> => {
    const users: SoakUser[] = [];
    for (const email of emails) {
      for (let attempt = 1; ; attempt += 1) {
        try {
          const tokens = await ovokLogin(baseUrl, clientId, email, password);
          users.push({ email, password, accessToken: tokens.accessToken, refreshToken: tokens.refreshToken });
          break;
        } catch (error) {
          // Shed (503) while the last load drains: wait as Retry-After asks.
          if (attempt >= 20 || !String(error).includes('HTTP 503')) throw error;
          await new Promise((resolve) => setTimeout(resolve, 1000));
        }
      }
    }
    return users;
  };

  let rate = values.rate === undefined ? undefined : Number(values.rate);
  let capacity: MixResult | undefined;
  if (rate === undefined) {
    log(`measuring capacity: ${values['capacity-seconds']} s unthrottled, ${connections} connections`);
    capacity = await runMix({
      baseUrl,
      clientId,
      users: await signInAll(),
      connections,
      durationSeconds: Number(values['capacity-seconds']),
      warmupUntil: Number.POSITIVE_INFINITY,
    });
    rate = Math.max(1, Math.floor(capacity.okRps / 2));
    log(`capacity ${capacity.okRps.toFixed(0)} answers/s (2xx); soaking at ${rate}/s`);
  }

  log(`soak: ${minutes} min on ${database} at ${rate}/s, warm-up ${warmupSeconds} s, load average ${loadAtStart}`);
  const users = await signInAll();
  const started = Date.now();
  const warmupUntil = started + warmupSeconds * 1000;
  const soak = await runMix({ baseUrl, clientId, users, connections, durationSeconds, overallRate: rate, warmupUntil });
  const probes = readFileSync(probeFile, 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as ProbeLine)
    .filter((line) => line.at >= warmupUntil && line.at <= started + durationSeconds * 1000 + 1000);
  const report = summarize({
    database,
    minutes,
    warmupSeconds,
    rate,
    capacityOkRps: capacity?.okRps,
    connections,
    soak,
    probes,
    loadAverage: {
      start: loadAtStart,
      end: loadavg()
        .map((value) => value.toFixed(2))
        .join(' '),
    },
    node: process.version,
  });
  const out = join(REPO_ROOT, 'bench/results', `soak-${database}-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
  console.log(report.text);
  log(`written to ${out}`);
  process.exitCode = report.passed ? 0 : 1;
} finally {
  await server?.child.stop();
  await databases.dropAll();
  rmSync(dataDir, { recursive: true, force: true });
}
// autocannon and fetch leave sockets and timers behind that would keep the process alive.
process.exit();
