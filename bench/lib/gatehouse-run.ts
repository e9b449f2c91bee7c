import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Databases } from './databases.ts';
import { defaultClient, newAdminToken, ovokLogin, ovokRegister, startGatehouse, type Gatehouse, type GatehouseOptions, type OvokTokens } from './gatehouse.ts';
import { runLoad, runLoadInChild, type LoadResult } from './load.ts';
import type { ScenarioResult } from './report.ts';
import { CpuSampler } from './cpu.ts';
import { RssSampler } from './rss.ts';
import { cpuSummary, log, measure, summary } from './scenario.ts';
import { SEED_PASSWORD, countUsers, seedEmail, seedUsers, type SeedTarget } from './seed.ts';
import { runs, type Settings } from './settings.ts';

const LOGIN = '/v2/auth/login';

interface Context {
  readonly settings: Settings;
  readonly clientId: string;
  server: Gatehouse;
  /** Users stored now (seeded and registered). */
  users: number;
  /** Seeded users are seed1..seedN; logins pick among them. */
  seeded: number;
}

/** Tokens handed out by a login scenario, reused by the read and refresh scenarios after it. */
type TokenJar = OvokTokens[];

function loginBody(clientId: string, index: number): string {
  return JSON.stringify({ email: seedEmail(index), password: SEED_PASSWORD, clientId });
}

async function login(ctx: Context, id: string, jar: TokenJar): Promise<ScenarioResult> {
  const { settings, clientId, users, seeded } = ctx;
  return measure(
    { id, title: `login (${users} users)`, server: 'gatehouse', child: ctx.server.child, users },
    {
      baseUrl: ctx.server.baseUrl,
      method: 'POST',
      path: LOGIN,
      connections: settings.hashConnections,
      durationSeconds: settings.duration,
      // A random stored user per request, so the email lookup really searches the whole table.
      prepare: () => ({ body: loginBody(clientId, 1 + Math.floor(Math.random() * seeded)) }),
      onResponse: (status, body) => {
        if (status === 200 && jar.length < 500) jar.push(JSON.parse(body) as OvokTokens);
      },
    },
  );
}

/** More tokens when a login scenario handed out too few (it failed or ran very short). */
async function topUp(ctx: Context, jar: TokenJar, needed: number): Promise<void> {
  for (let i = jar.length; i < needed; i += 1) {
    jar.push(await ovokLogin(ctx.server.baseUrl, ctx.clientId, seedEmail(1 + (i % ctx.seeded)), SEED_PASSWORD));
  }
}

async function read(ctx: Context, id: string, jar: TokenJar): Promise<ScenarioResult> {
  const { settings } = ctx;
  await topUp(ctx, jar, settings.readSessions);
  const tokens = jar.splice(0, settings.readSessions).map((t) => `Bearer ${t.accessToken}`);
  let turn = 0;
  return measure(
    { id, title: `auth read GET /auth/me (${ctx.users} users)`, server: 'gatehouse', child: ctx.server.child, users: ctx.users },
    {
      baseUrl: ctx.server.baseUrl,
      method: 'GET',
      path: '/auth/me',
      connections: settings.readConnections,
      durationSeconds: settings.duration,
      prepare: () => {
        turn = (turn + 1) % tokens.length;
        return { headers: { authorization: tokens[turn] ?? '' } };
      },
    },
  );
}

/**
 * Every request spends a refresh token and gets the next one. A shared pool rather than a
 * chain per connection: autocannon resets a connection's context after each request, and
 * with one request in flight per connection the pool never runs dry (a spare covers the
 * tokens lost to a failed answer).
 */
async function refresh(ctx: Context, jar: TokenJar): Promise<ScenarioResult> {
  const { settings } = ctx;
  const size = 2 * settings.readConnections;
  await topUp(ctx, jar, size);
  const pool = jar.splice(0, size).map((t) => t.refreshToken);
  return measure(
    { id: 'refresh', title: 'token refresh', server: 'gatehouse', child: ctx.server.child, users: ctx.users },
    {
      baseUrl: ctx.server.baseUrl,
      method: 'POST',
      path: '/auth/refresh-token',
      connections: settings.readConnections,
      durationSeconds: settings.duration,
      prepare: () => ({ body: JSON.stringify({ refresh_token: pool.shift() ?? 'ghr_pool_ran_dry' }) }),
      onResponse: (status, body) => {
        if (status === 200) pool.push((JSON.parse(body) as { refresh_token: string }).refresh_token);
      },
    },
  );
}

async function register(ctx: Context): Promise<ScenarioResult> {
  const { settings, clientId } = ctx;
  const run = randomBytes(4).toString('hex');
  let next = 0;
  const result = await measure(
    { id: 'register', title: 'register (new email each)', server: 'gatehouse', child: ctx.server.child, users: ctx.users },
    {
      baseUrl: ctx.server.baseUrl,
      method: 'POST',
      path: '/auth/register',
      connections: settings.hashConnections,
      durationSeconds: settings.duration,
      prepare: () => {
        next += 1;
        return { body: JSON.stringify({ email: `reg-${run}-${next}@bench.test`, password: SEED_PASSWORD, clientId, name: 'Bench', surname: `User ${next}` }) };
      },
    },
  );
  ctx.users += result.load.statusCodes['200'] ?? 0;
  return result;
}

/**
 * 10x more concurrent logins than the server admits, from a child process, while this process
 * measures /healthz and /auth/me at a modest fixed rate. The probe user is not one the flood
 * logs in, so its session list (part of /auth/me) stays the same size throughout.
 */
async function flood(ctx: Context): Promise<ScenarioResult[]> {
  const { settings, clientId, server } = ctx;
  const probe = await ovokRegister(server.baseUrl, clientId, `probe-${randomBytes(4).toString('hex')}@bench.test`, SEED_PASSWORD);
  ctx.users += 1;
  const bodies = Array.from({ length: Math.min(200, ctx.seeded) }, (_, i) => loginBody(clientId, i + 1));
  const probeSpec = { baseUrl: server.baseUrl, method: 'GET' as const, connections: 5, durationSeconds: settings.duration, overallRate: 50 };
  log(`login flood: ${settings.floodConnections} connections for ${settings.duration} s, probing /healthz and /auth/me at 50 req/s each`);
  const rss = new RssSampler(server.child.pid).start();
  const cpuSampler = new CpuSampler(server.child.pid);
  let loads: [LoadResult, LoadResult, LoadResult];
  try {
    loads = await Promise.all([
      runLoadInChild({
        baseUrl: server.baseUrl,
        method: 'POST',
        path: LOGIN,
        connections: settings.floodConnections,
        durationSeconds: settings.duration,
        bodies,
        checkRetryAfter: true,
      }),
      runLoad({ ...probeSpec, path: '/healthz' }),
      runLoad({ ...probeSpec, path: '/auth/me', headers: { authorization: `Bearer ${probe.accessToken}` } }),
    ]);
  } catch (error) {
    rss.stop();
    throw error;
  }
  const peakRssMb = rss.stop();
  const cpu = cpuSampler.stop();
  const [logins, healthz, me] = loads;
  // The server's CPU is shared by the three loads; it is given with the flood row only.
  const row = (id: string, title: string, connections: number, load: LoadResult, withCpu: boolean): ScenarioResult => {
    const result: ScenarioResult = { id, title, server: 'gatehouse', users: ctx.users, connections, load, peakRssMb, ...(withCpu && { cpu }) };
    log(`${title}: ${summary(load)}${withCpu ? `, ${cpuSummary(result)}` : ''}`);
    return result;
  };
  return [
    row('flood-login', 'flood: logins', settings.floodConnections, logins, true),
    row('flood-healthz', 'flood: /healthz probe', probeSpec.connections, healthz, false),
    row('flood-me', 'flood: /auth/me probe', probeSpec.connections, me, false),
  ];
}

/**
 * Grows the stored users to `to`. The embedded database has one writer, so the server is
 * stopped, the rows are written straight into its directory, and it is started again.
 */
async function grow(ctx: Context, options: GatehouseOptions, target: SeedTarget, projectId: string, to: number): Promise<void> {
  const from = ctx.seeded + 1;
  if (to < from) return;
  if (target.kind === 'pglite') await ctx.server.child.stop();
  log(`seeding users ${from}..${to} (${target.kind})`);
  const seconds = await seedUsers(target, projectId, from, to);
  ctx.seeded = to;
  if (target.kind === 'pglite') {
    ctx.users = await countUsers(target);
    ctx.server = await startGatehouse(options);
  } else {
    ctx.users = await countUsers(target);
  }
  log(`seeded in ${seconds.toFixed(1)} s; ${ctx.users} users stored`);
}

export async function runGatehouse(settings: Settings, databases: Databases): Promise<ScenarioResult[]> {
  if (!(['login', 'register', 'refresh', 'read', 'flood', 'large'] as const).some((step) => runs(settings, step))) return [];
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-gatehouse-'));
  const databaseUrl = await databases.create('gatehouse');
  const target: SeedTarget = databaseUrl === undefined ? { kind: 'pglite', dataDir } : { kind: 'postgres', url: databaseUrl };
  const options: GatehouseOptions = { dataDir, databaseUrl, adminToken: newAdminToken(), cpuProfDir: settings.cpuProfDir };
  const results: ScenarioResult[] = [];
  let ctx: Context | undefined;
  try {
    log(`starting Gatehouse (${target.kind})`);
    const server = await startGatehouse(options);
    const { projectId, clientId } = await defaultClient(server.baseUrl, options.adminToken);
    ctx = { settings, clientId, server, users: 0, seeded: 0 };
    await grow(ctx, options, target, projectId, settings.smallUsers);
    // Row order follows the issue; the 1k-user login and read are scenarios 1 and 4 and
    // the baseline for scenario 6.
    const jar: TokenJar = [];
    if (runs(settings, 'login')) results.push(await login(ctx, 'login-1k', jar));
    if (runs(settings, 'register')) results.push(await register(ctx));
    if (runs(settings, 'refresh')) results.push(await refresh(ctx, jar));
    if (runs(settings, 'read')) results.push(await read(ctx, 'read-1k', jar));
    if (runs(settings, 'flood')) results.push(...(await flood(ctx)));
    if (runs(settings, 'large') && settings.largeUsers > ctx.seeded) {
      await grow(ctx, options, target, projectId, settings.largeUsers);
      const large: TokenJar = [];
      results.push(await login(ctx, 'login-1m', large));
      results.push(await read(ctx, 'read-1m', large));
    }
  } catch (error) {
    log(`gatehouse: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  } finally {
    await ctx?.server.child.stop();
    rmSync(dataDir, { recursive: true, force: true });
    await databases.drop('gatehouse');
  }
  return results;
}
