import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { sql } from 'kysely';
import pg from 'pg';
import { ErrorCode, GatehouseError, isGatehouseError } from '../../src/core/errors.ts';
import { asUnavailable, outageKind } from '../../src/db/unavailable.ts';
import { ADMIN_TOKEN, createTestApp, freshPostgresDatabase, json, onPostgres, type TestApp } from '../helpers/app.ts';
import { ovokRegister } from '../helpers/ovok.ts';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.ts';
import { register as jinuRegister, newUser } from '../jinuai/helpers.ts';
import { PASSWORD as PM_PASSWORD, register as pmRegister } from '../pixelmover/helpers.ts';

/**
 * Issue 12 point 6: PostgreSQL restarted, its connections killed, or its pool exhausted, under
 * load. The server tests run on PostgreSQL only, and say so: the embedded database (PGlite) runs
 * inside the server process, so there is no server, connection or pool that could go away, be
 * killed or run dry while Gatehouse keeps running. Its failure is the process's own (covered by
 * the crash tests). The mapping of driver errors runs on both databases.
 */
const POSTGRES_ONLY =
  'PostgreSQL only: the embedded database runs inside the server process, with no server, connection or pool that could fail on its own';

describe('connection-level failures become ErrorCode.Unavailable (src/db/unavailable.ts)', () => {
  const withCode = (code: string): Error => Object.assign(new Error('x'), { code });

  it('maps refused, reset and terminated connections, server shutdown and timeouts; leaves SQL errors alone', () => {
    for (const code of ['ECONNREFUSED', 'ECONNRESET', '57P01', '57P02', '57P03', '08006', '08001', '08P01'])
      assert.equal(outageKind(withCode(code)), 'lost', code);
    for (const code of ['57014', '53300']) assert.equal(outageKind(withCode(code)), 'busy', code);
    assert.equal(outageKind(new Error('Connection terminated unexpectedly')), 'lost');
    assert.equal(outageKind(new Error('Query read timeout')), 'lost');
    assert.equal(outageKind(new Error('timeout exceeded when trying to connect')), 'busy');
    for (const code of ['23505', '42601', '22021', '40001']) assert.equal(outageKind(withCode(code)), undefined, code);

    const mapped = asUnavailable(withCode('ECONNREFUSED'));
    assert.ok(isGatehouseError(mapped));
    assert.equal(mapped.code, ErrorCode.Unavailable);
    assert.ok((mapped.extra.retryAfter ?? 0) >= 1);
    const unique = withCode('23505');
    assert.equal(asUnavailable(unique), unique);
    const own = new GatehouseError(ErrorCode.NotFound, 'x');
    assert.equal(asUnavailable(own), own);
  });
});

const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };

interface Users {
  ovok: { email: string; password: string };
  pixelmover: { email: string };
  jinuai: { email: string; password: string };
}

async function createUsers(t: TestApp): Promise<Users> {
  const ovok = await ovokRegister(t.app, t.clientId);
  const pm = await pmRegister(t.app);
  const fields = newUser();
  await jinuRegister(t.app, fields);
  return {
    ovok: { email: ovok.email, password: ovok.password },
    pixelmover: { email: pm.email },
    jinuai: { email: fields.email ?? '', password: fields.password ?? '' },
  };
}

/** One database-backed request per contract: three sign-ins and an admin listing. */
function requests(t: TestApp, users: Users): Record<'ovok' | 'pixelmover' | 'jinuai' | 'admin', () => Promise<LightMyRequestResponse>> {
  return {
    ovok: () => t.app.inject({ method: 'POST', url: '/v2/auth/login', payload: { ...users.ovok, clientId: t.clientId } }),
    pixelmover: () =>
      t.app.inject({ method: 'POST', url: '/v1/auth/login', payload: { email: users.pixelmover.email, password: PM_PASSWORD } }),
    jinuai: () => t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: users.jinuai }),
    admin: () => t.app.inject({ method: 'GET', url: '/admin/users?limit=5', headers: admin }),
  };
}

/** 503 + Retry-After in each contract's own error style, and nothing about the cause. */
async function assertUnavailableEverywhere(t: TestApp, users: Users): Promise<void> {
  const calls = requests(t, users);
  const answers = {
    ovok: await calls.ovok(),
    pixelmover: await calls.pixelmover(),
    jinuai: await calls.jinuai(),
    admin: await calls.admin(),
  };
  for (const [name, response] of Object.entries(answers)) {
    assert.equal(response.statusCode, 503, `${name}: ${response.body}`);
    assert.match(String(response.headers['retry-after']), /^[1-9]\d*$/, name);
    assert.doesNotMatch(response.body, /ECONN|terminat|postgres|pg_|timeout exceeded|stack/i, name);
  }
  const outcome = json<{ resourceType: string; issue: { code: string }[] }>(answers.ovok);
  assert.equal(outcome.resourceType, 'OperationOutcome');
  assert.equal(outcome.issue[0]?.code, 'transient');
  assert.match(String(answers.ovok.headers['content-type']), /application\/fhir\+json/);
  assert.deepEqual(json(answers.pixelmover), { message: 'Service Unavailable' });
  assert.equal(typeof json<{ detail: unknown }>(answers.jinuai).detail, 'string');
  assert.equal(json<{ error: string }>(answers.admin).error, ErrorCode.Unavailable);
  const ready = await t.app.inject({ method: 'GET', url: '/readyz' });
  assert.equal(ready.statusCode, 503);
}

async function assertServingEverywhere(t: TestApp, users: Users): Promise<void> {
  const calls = requests(t, users);
  for (const [name, call] of Object.entries(calls)) {
    const response = await call();
    assert.equal(response.statusCode, 200, `${name}: ${response.body}`);
  }
}

/** Polls /readyz until it answers 200, for at most `seconds`: recovery with no restart. */
async function readyWithin(app: FastifyInstance, seconds: number): Promise<boolean> {
  const deadline = Date.now() + seconds * 1000;
  while (Date.now() < deadline) {
    if ((await app.inject({ method: 'GET', url: '/readyz' })).statusCode === 200) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return false;
}

/**
 * Six clients sending the four requests in turn until stopped: every answer must be 200, or 503 with
 * Retry-After (an assertion failure stops the load and fails `stop()`). Answers the statuses seen.
 */
function startLoad(t: TestApp, users: Users): { stop(): Promise<number[]> } {
  const calls = Object.values(requests(t, users));
  const statuses: number[] = [];
  let stopped = false;
  const worker = async (offset: number): Promise<void> => {
    try {
      for (let i = offset; !stopped; i += 1) {
        const response = await (calls[i % calls.length] as () => Promise<LightMyRequestResponse>)();
        statuses.push(response.statusCode);
        if (response.statusCode === 503) assert.ok(response.headers['retry-after'], response.body);
        else assert.equal(response.statusCode, 200, response.body);
      }
    } finally {
      stopped = true;
    }
  };
  const workers = [0, 1, 2, 3, 4, 5].map(worker);
  return {
    async stop() {
      stopped = true;
      await Promise.all(workers);
      return statuses;
    },
  };
}

/** A separate superuser connection, to see and kill the app's backends by application_name. */
async function controlClient(): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await client.connect();
  return client;
}

function withApplicationName(url: string, name: string): string {
  const parsed = new URL(url);
  parsed.searchParams.set('application_name', name);
  return parsed.toString();
}

describe('PostgreSQL goes away and comes back (TCP proxy)', { skip: onPostgres() ? false : POSTGRES_ONLY }, () => {
  let fresh: Awaited<ReturnType<typeof freshPostgresDatabase>>;
  let proxy: TcpProxy;
  let t: TestApp;
  let users: Users;

  before(async () => {
    fresh = await freshPostgresDatabase();
    proxy = await startTcpProxy(fresh.url);
    t = await createTestApp({ DATABASE_CONNECT_TIMEOUT_MS: '1000', DATABASE_STATEMENT_TIMEOUT_MS: '1000' }, { databaseUrl: proxy.url });
    users = await createUsers(t);
  });
  after(async () => {
    await t?.close();
    await proxy?.close();
    await fresh?.drop();
  });

  it('answers 503 + Retry-After in every contract while it is gone, and serves again once it is back, without a restart', async () => {
    await assertServingEverywhere(t, users);
    proxy.down();
    await assertUnavailableEverywhere(t, users);
    // Still gone a moment later: every pooled connection is dead, each new one refused.
    await assertUnavailableEverywhere(t, users);
    proxy.up();
    assert.ok(await readyWithin(t.app, 10), '/readyz did not recover within 10 s');
    await assertServingEverywhere(t, users);
  });

  it('never answers 500 when PostgreSQL goes away under load, and serves again once it is back', async () => {
    const load = startLoad(t, users);
    await new Promise((resolve) => setTimeout(resolve, 300));
    proxy.down();
    await new Promise((resolve) => setTimeout(resolve, 1000));
    proxy.up();
    assert.ok(await readyWithin(t.app, 10), '/readyz did not recover within 10 s');
    const statuses = await load.stop();
    assert.ok(statuses.includes(503), 'no request saw the outage');
    await assertServingEverywhere(t, users);
  });

  it('answers 503 instead of hanging when PostgreSQL stops answering, and serves again afterwards', async () => {
    await assertServingEverywhere(t, users);
    // Connections stay open but no byte passes: only the client-side bounds end the wait.
    const hangMs = 30_000;
    const started = Date.now();
    proxy.freeze(hangMs);
    const answer = await requests(t, users).admin();
    assert.equal(answer.statusCode, 503, answer.body);
    assert.ok(Date.now() - started < hangMs, 'the request waited for the hung server');
    proxy.freeze(0);
    assert.ok(await readyWithin(t.app, 10), '/readyz did not recover within 10 s');
    await assertServingEverywhere(t, users);
  });
});

describe('PostgreSQL terminates the server’s connections under load', { skip: onPostgres() ? false : POSTGRES_ONLY }, () => {
  const applicationName = `gatehouse-outage-${randomBytes(4).toString('hex')}`;
  let fresh: Awaited<ReturnType<typeof freshPostgresDatabase>>;
  let control: pg.Client;
  let t: TestApp;
  let users: Users;

  before(async () => {
    fresh = await freshPostgresDatabase();
    control = await controlClient();
    t = await createTestApp({}, { databaseUrl: withApplicationName(fresh.url, applicationName) });
    users = await createUsers(t);
  });
  after(async () => {
    await t?.close();
    await control?.end();
    await fresh?.drop();
  });

  const terminate = async (): Promise<number> =>
    (await control.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1', [applicationName]))
      .rowCount ?? 0;

  it('never answers 500 while its backends are killed, and serves again at once', async () => {
    const load = startLoad(t, users);
    let killed = 0;
    for (let round = 0; round < 5; round += 1) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      killed += await terminate();
    }
    const statuses = await load.stop();
    assert.ok(killed > 0, 'no backend of the server was terminated');
    assert.ok(statuses.length > 0);
    assert.ok(await readyWithin(t.app, 10), '/readyz did not recover within 10 s');
    await assertServingEverywhere(t, users);
  });
});

describe('a pool exhausted by slow statements', { skip: onPostgres() ? false : POSTGRES_ONLY }, () => {
  let t: TestApp;
  let users: Users;

  before(async () => {
    t = await createTestApp({ DATABASE_POOL_MAX: '2', DATABASE_CONNECT_TIMEOUT_MS: '300', DATABASE_STATEMENT_TIMEOUT_MS: '3000' });
    users = await createUsers(t);
  });
  after(async () => t?.close());

  it('answers 503 + Retry-After after a bounded wait, cancels the slow statements, and serves again', async () => {
    const db = t.app.core.database.db;
    let settled = 0;
    const held = [1, 2].map(() =>
      sql`SELECT pg_sleep(30)`.execute(db).then(
        () => {
          settled += 1;
          return undefined;
        },
        (error: unknown) => {
          settled += 1;
          return error;
        },
      ),
    );
    // Both connections are busy once the pool has nothing idle and both sleeps run.
    const deadline = Date.now() + 5000;
    while (t.app.core.database.poolStats().idle > 0 || t.app.core.database.poolStats().total < 2) {
      assert.ok(Date.now() < deadline, 'the slow statements never took both connections');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const answer = await requests(t, users).admin();
    assert.equal(answer.statusCode, 503, answer.body);
    assert.ok(answer.headers['retry-after']);
    assert.equal(settled, 0, 'the request waited for a slow statement to end instead of giving up');
    // The statement timeout ends the sleeps long before their 30 s, as Unavailable.
    for (const error of await Promise.all(held)) {
      assert.ok(isGatehouseError(error), String(error));
      assert.equal(error.code, ErrorCode.Unavailable);
    }
    await assertServingEverywhere(t, users);
  });
});

describe('migrations and scripts (raw sessions) on PostgreSQL', { skip: onPostgres() ? false : POSTGRES_ONLY }, () => {
  let t: TestApp;

  before(async () => {
    // One connection: the raw session and the statements after it share it.
    t = await createTestApp({ DATABASE_POOL_MAX: '1', DATABASE_STATEMENT_TIMEOUT_MS: '3000' });
  });
  after(async () => t?.close());

  it('run without the statement timeout, and give the connection back with it, also after a failure', async () => {
    const database = t.app.core.database;
    const timeoutNow = async (): Promise<unknown> =>
      (await sql<{ statement_timeout: string }>`SHOW statement_timeout`.execute(database.db)).rows[0]?.statement_timeout;
    assert.equal(await timeoutNow(), '3s');
    assert.deepEqual(await database.withRawSession((run) => run('SHOW statement_timeout')), [{ statement_timeout: '0' }]);
    assert.equal(await timeoutNow(), '3s');
    await assert.rejects(
      database.withRawSession(async (run) => {
        await run('SELECT 1');
        throw new Error('the script failed');
      }),
      /the script failed/,
    );
    assert.equal(await timeoutNow(), '3s');
  });
});
