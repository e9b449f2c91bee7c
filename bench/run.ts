/**
 * `npm run bench`: Gatehouse against the machine's limits and against better-auth, in one run.
 * Every server is a child process; the load generator (autocannon) runs here. See BENCHMARKS.md.
 */
import { execFileSync } from 'node:child_process';

// `npm run bench -- --only import`: the import scenario, kept in its own file (bench/import.ts).
if (process.argv.slice(2).join(' ').includes('--only import')) {
  await import('./import.ts');
  process.exit(0);
}
import { Databases } from './lib/databases.ts';
import { runGatehouse } from './lib/gatehouse-run.ts';
import { measureHashLimit, measureHttpFloor } from './lib/limits.ts';
import { runPeer } from './lib/peer.ts';
import { REPO_ROOT } from './lib/proc.ts';
import { renderTables, writeJson, type Report, type ScenarioResult } from './lib/report.ts';
import { log } from './lib/scenario.ts';
import { machine, readSettings, runs } from './lib/settings.ts';
import { evaluateTargets } from './lib/targets.ts';

const started = Date.now();
// Gatehouse runs as `npm start` runs it: the production bundle, built from the current sources.
execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: REPO_ROOT, stdio: 'inherit' });

function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparsable)';
  }
}
const settings = readSettings();
const databases = new Databases(settings.databaseUrl);
const notes: string[] = [];

const stopAll = (signal: NodeJS.Signals): void => {
  // Children get SIGTERM from the terminal's process group as well; this only ends the bench itself.
  log(`${signal}: stopping`);
  void databases.dropAll().finally(() => process.exit(130));
};
process.once('SIGINT', stopAll);
process.once('SIGTERM', stopAll);

log(`duration ${settings.duration} s per scenario, ${settings.cores} cores, database ${databases.kind}, large run ${settings.largeUsers || 'off'}`);

// The hash limit first, on an idle machine, as its definition asks.
const hash = runs(settings, 'hash')
  ? await measureHashLimit()
  : { loops: settings.cores, argon2idVerifyPerSecond: Number.NaN, scryptPerSecond: Number.NaN, foreignCores: 0 };

const scenarios: ScenarioResult[] = [];
let floorRps: number | undefined;
if (runs(settings, 'floor')) {
  try {
    const floor = await measureHttpFloor(settings);
    scenarios.push(floor);
    floorRps = floor.load.okRps;
  } catch (error) {
    log(`HTTP floor failed: ${error instanceof Error ? error.message : String(error)}`);
  }
}

scenarios.unshift(...(await runGatehouse(settings, databases)));
if (runs(settings, 'peer')) scenarios.push(...(await runPeer(settings, databases)));
await databases.dropAll();

if (databases.kind === 'pglite') {
  notes.push('Database: embedded PGlite on disk for Gatehouse and for better-auth (through a Kysely dialect).');
} else {
  notes.push('Database: PostgreSQL from DATABASE_URL, a fresh database per server, dropped after the run. Its CPU counts under "other procs CPU".');
}
notes.push('Rate limits are off in both servers (all load comes from 127.0.0.1); Gatehouse brute-force protection stays on.');
notes.push('better-auth hashes with scrypt (N=16384, r=16, p=1), Gatehouse with argon2id (m=19456, t=2, p=1): see the limits table.');
notes.push('The load generator shares the machine with the server under test, for every server alike.');
// Other processes' CPU skews every figure on a 2-core machine: say where it happened. The flood's
// load generator is a child of the bench, so its CPU shows up as "other processes" there.
const disturbed = databases.kind === 'postgres' ? [] : scenarios.filter((s) => s.id !== 'flood-login' && (s.cpu?.foreignCores ?? 0) > 0.25);
const hashDisturbed = hash.foreignCores > 0.25 ? [`the hash limit (${hash.foreignCores} cores)`] : [];
const named = [...hashDisturbed, ...disturbed.map((s) => `${s.title} (${s.cpu?.foreignCores} cores)`)];
if (named.length > 0) notes.push(`WARNING: other processes used CPU during ${named.join(', ')}: those figures are low.`);

const limits = { hash, httpFloorRps: floorRps };
const report: Report = {
  startedAt: new Date(started).toISOString(),
  elapsedSeconds: Math.round((Date.now() - started) / 1000),
  machine: machine(),
  // A DATABASE_URL may carry a password; the JSON file is meant to be shared.
  settings: { ...settings, databaseUrl: settings.databaseUrl === undefined ? undefined : redact(settings.databaseUrl) },
  database: databases.kind,
  limits,
  scenarios,
  targets: evaluateTargets(scenarios, limits),
  notes,
};
const jsonPath = `${REPO_ROOT}bench/results/latest.json`;
writeJson(jsonPath, report);
process.stdout.write(`\n${renderTables(report)}\n${notes.map((n) => `- ${n}`).join('\n')}\n`);
log(`done in ${report.elapsedSeconds} s; JSON in bench/results/latest.json`);
