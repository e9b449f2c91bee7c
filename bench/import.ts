/**
 * Import scenario (issue 14): `npm run bench:import` (or `npm run bench -- --only import`).
 * For each database (embedded PGlite; PostgreSQL too when DATABASE_URL is set) and each size
 * (BENCH_IMPORT_USERS, default 100000,1000000) it writes a canonical export to a temp file, runs
 * `gatehouse import --json` from the production bundle into a fresh database, and records
 * rows/s (from the report's durationMs) and the importer's peak RSS (/usr/bin/time). Then it
 * times first sign-ins of users imported with bcrypt cost 12 against argon2id ones. Results go to
 * bench/results/import-<time>.json and are printed as the table of BENCHMARKS.md's "Import" section.
 */
import { execFile, execFileSync, spawn } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { hash as argon2Hash, type Algorithm } from '@node-rs/argon2';
import bcrypt from 'bcryptjs';
import { Databases } from './lib/databases.ts';
import { REPO_ROOT } from './lib/proc.ts';

const BUNDLE = join(REPO_ROOT, 'dist/gatehouse.mjs');
const sizes = (process.env.BENCH_IMPORT_USERS ?? '100000,1000000').split(',').map(Number);
const log = (message: string): void => void process.stderr.write(`[import] ${message}\n`);
const run = promisify(execFile);

/** A canonical export of `count` users: bcrypt cost-10 hashes (a few, reused: hashing is not what is measured), every tenth user with an API key. */
async function writeExport(path: string, count: number): Promise<number> {
  const hashes = Array.from({ length: 8 }, (_, index) => bcrypt.hashSync(`password-${index}`, 4).replace('$2b$04$', '$2y$10$'));
  const out = createWriteStream(path);
  let bytes = 0;
  for (let index = 1; index <= count; index += 1) {
    const user = {
      email: `user${index}@example.com`,
      passwordHash: hashes[index % hashes.length],
      emailVerified: index % 3 === 0,
      name: `User ${index}`,
      surname: 'Imported',
      ...(index % 2 === 0 && { account: `user${index}` }),
      company: index % 5 === 0 ? 'Acme, Inc.' : undefined,
      plan: 'pro',
      credits: index % 100,
      createdAt: '2024-01-01T00:00:00.000Z',
      ids: { number: index, user: randomUUID(), profile: randomUUID(), profileType: 'Patient' },
      ...(index % 10 === 0 && {
        apiKeys: [{ name: 'Default', sha256: createHash('sha256').update(`pm_live_${index}`).digest('hex'), prefix: 'pm_live_' }],
      }),
    };
    const line = `${JSON.stringify(user)}\n`;
    bytes += line.length;
    if (!out.write(line)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  return bytes;
}

function env(databaseUrl: string | undefined, dataDir: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { ...process.env, LOG_LEVEL: 'warn', GATEHOUSE_DATA_DIR: dataDir, DATABASE_URL: databaseUrl ?? '', ...extra };
}

async function defaultProject(environment: NodeJS.ProcessEnv): Promise<string> {
  const { stdout } = await run(process.execPath, [BUNDLE, 'projects', 'list', '--json'], { env: environment });
  const projects = JSON.parse(stdout) as Array<{ id: string; isDefault: boolean }>;
  const project = projects.find((p) => p.isDefault);
  if (project === undefined) throw new Error('no default project');
  return project.id;
}

interface ImportResult {
  readonly database: string;
  readonly users: number;
  readonly imported: number;
  readonly durationMs: number;
  readonly rowsPerSecond: number;
  readonly peakRssMb: number;
  /** CPU seconds of the importer process (user + system): on a shared machine, rows per CPU second is what the code costs. */
  readonly cpuSeconds: number;
  readonly rowsPerCpuSecond: number;
  readonly loadBefore: number;
}

async function importOnce(databases: Databases, file: string, users: number): Promise<ImportResult> {
  const label = `import${users}`;
  const databaseUrl = await databases.create(label);
  const dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-bench-import-'));
  try {
    const environment = env(databaseUrl, dataDir);
    const projectId = await defaultProject(environment);
    const timeFile = join(dataDir, 'time.txt');
    const loadBefore = Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]);
    log(`${databases.kind} ${users} users: importing (load average ${loadBefore})`);
    const { stdout } = await run(
      '/usr/bin/time',
      ['-f', '%M %U %S', '-o', timeFile, process.execPath, BUNDLE, 'import', '--project', projectId, '--json', file],
      {
        env: environment,
        maxBuffer: 64 * 1024 * 1024,
      },
    );
    const report = JSON.parse(stdout) as { imported: number; failedCount: number; durationMs: number };
    if (report.failedCount > 0 || report.imported !== users)
      throw new Error(`import reported ${report.imported} imported, ${report.failedCount} failed`);
    const [maxRssKb = 0, userSeconds = 0, systemSeconds = 0] = (readFileSync(timeFile, 'utf8').trim().split('\n').pop() ?? '')
      .split(' ')
      .map(Number);
    const peakRssMb = Math.round(maxRssKb / 1024);
    const cpuSeconds = Math.round((userSeconds + systemSeconds) * 10) / 10;
    const result = {
      database: databases.kind,
      users,
      imported: report.imported,
      durationMs: report.durationMs,
      rowsPerSecond: Math.round(report.imported / (report.durationMs / 1000)),
      peakRssMb,
      cpuSeconds,
      rowsPerCpuSecond: Math.round(report.imported / cpuSeconds),
      loadBefore,
    };
    log(
      `${databases.kind} ${users} users: ${result.rowsPerSecond} rows/s, ${(report.durationMs / 1000).toFixed(1)} s, ${cpuSeconds} s CPU, peak RSS ${peakRssMb} MB`,
    );
    return result;
  } finally {
    await databases.drop(label);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

interface SignInResult {
  readonly database: string;
  readonly bcrypt12FirstMs: number;
  readonly argon2idWhileLegacyMs: number;
  readonly argon2idAfterMs: number;
}

/** Median of the first sign-ins of bcrypt cost-12 users, and of argon2id users while bcrypt ones remain and after they are re-hashed. */
async function signIns(databases: Databases): Promise<SignInResult> {
  const label = 'signin';
  const databaseUrl = await databases.create(label);
  const dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-bench-signin-'));
  const port = 18_000 + Math.floor(Math.random() * 1000);
  // Production argon2 parameters (the defaults), no rate limits from 127.0.0.1.
  const environment = env(databaseUrl, dataDir, { PORT: String(port), HOST: '127.0.0.1', RATE_LIMITS: 'off', BRUTE_FORCE: 'off' });
  const count = 7;
  try {
    const projectId = await defaultProject(environment);
    const argon = (password: string) => argon2Hash(password, { algorithm: 2 as Algorithm, memoryCost: 19456, timeCost: 2, parallelism: 1 });
    const lines: string[] = [];
    for (let index = 0; index < count; index += 1) {
      lines.push(
        JSON.stringify({
          email: `bcrypt${index}@example.com`,
          passwordHash: bcrypt.hashSync(`bcrypt-password-${index}`, 12).replace('$2b$', '$2y$'),
        }),
      );
      lines.push(JSON.stringify({ email: `argon${index}@example.com`, passwordHash: await argon(`argon-password-${index}`) }));
    }
    const file = join(dataDir, 'signin.jsonl');
    writeFileSync(file, `${lines.join('\n')}\n`);
    await run(process.execPath, [BUNDLE, 'import', '--project', projectId, '--json', file], { env: environment });
    const server = spawn(process.execPath, [BUNDLE, 'start'], { env: environment, stdio: 'ignore' });
    try {
      for (let attempt = 0; ; attempt += 1) {
        try {
          if ((await fetch(`http://127.0.0.1:${port}/api/v1/health/liveness`)).status === 204) break;
        } catch {
          if (attempt > 300) throw new Error('server did not start');
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const time = async (email: string, password: string): Promise<number> => {
        const started = performance.now();
        const response = await fetch(`http://127.0.0.1:${port}/api/v1/auth/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ email, password }),
        });
        if (response.status !== 200) throw new Error(`sign-in of ${email}: ${response.status}`);
        await response.arrayBuffer();
        return performance.now() - started;
      };
      const median = (values: number[]): number => Math.round([...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0);
      const argonWhile: number[] = [];
      const bcryptFirst: number[] = [];
      for (let index = 0; index < count; index += 1) {
        argonWhile.push(await time(`argon${index}@example.com`, `argon-password-${index}`));
        bcryptFirst.push(await time(`bcrypt${index}@example.com`, `bcrypt-password-${index}`));
      }
      // Re-hashes run in the background; the class count reaches 0 within a few seconds, and the padding list is re-read after 30 s.
      await new Promise((resolve) => setTimeout(resolve, 35_000));
      const argonAfter: number[] = [];
      for (let index = 0; index < count; index += 1) argonAfter.push(await time(`argon${index}@example.com`, `argon-password-${index}`));
      const result = {
        database: databases.kind,
        bcrypt12FirstMs: median(bcryptFirst),
        argon2idWhileLegacyMs: median(argonWhile),
        argon2idAfterMs: median(argonAfter),
      };
      log(
        `${databases.kind} first sign-in: bcrypt-12 ${result.bcrypt12FirstMs} ms, argon2id ${result.argon2idWhileLegacyMs} ms (padded while bcrypt users remain), ${result.argon2idAfterMs} ms after`,
      );
      return result;
    } finally {
      server.kill('SIGTERM');
      await once(server, 'exit');
    }
  } finally {
    await databases.drop(label);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: REPO_ROOT, stdio: 'inherit' });
const work = mkdtempSync(join(tmpdir(), 'gatehouse-bench-export-'));
const targets = [new Databases(undefined), ...(process.env.DATABASE_URL ? [new Databases(process.env.DATABASE_URL)] : [])];
const imports: ImportResult[] = [];
const signInResults: SignInResult[] = [];
try {
  for (const users of sizes) {
    const file = join(work, `users-${users}.jsonl`);
    log(`writing ${users} users to ${file}`);
    const bytes = await writeExport(file, users);
    log(`${Math.round(bytes / 1e6)} MB`);
    for (const databases of targets) imports.push(await importOnce(databases, file, users));
    rmSync(file, { force: true });
  }
  if (process.env.BENCH_IMPORT_SIGNIN !== 'off') for (const databases of targets) signInResults.push(await signIns(databases));
} finally {
  for (const databases of targets) await databases.dropAll();
  rmSync(work, { recursive: true, force: true });
}

const machine = { cores: cpus().length, cpu: cpus()[0]?.model ?? 'unknown', node: process.version };
mkdirSync(join(REPO_ROOT, 'bench/results'), { recursive: true });
const out = join(REPO_ROOT, `bench/results/import-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
writeFileSync(out, `${JSON.stringify({ machine, imports, signIns: signInResults }, null, 2)}\n`);
process.stdout.write(
  '\n| database | users | rows/s (wall) | time | importer CPU | rows per importer CPU second | peak RSS | load average before |\n|---|---:|---:|---:|---:|---:|---:|---:|\n',
);
for (const r of imports)
  process.stdout.write(
    `| ${r.database} | ${r.users.toLocaleString('en')} | ${r.rowsPerSecond.toLocaleString('en')} | ${(r.durationMs / 1000).toFixed(1)} s | ${r.cpuSeconds} s | ${r.rowsPerCpuSecond.toLocaleString('en')} | ${r.peakRssMb} MB | ${r.loadBefore} |\n`,
  );
if (signInResults.length > 0) {
  process.stdout.write(
    '\n| database | first sign-in, bcrypt cost 12 | argon2id, while bcrypt users remain | argon2id, after all are re-hashed |\n|---|---:|---:|---:|\n',
  );
  for (const r of signInResults)
    process.stdout.write(`| ${r.database} | ${r.bcrypt12FirstMs} ms | ${r.argon2idWhileLegacyMs} ms | ${r.argon2idAfterMs} ms |\n`);
}
process.stdout.write(`\n${out}\n`);
