import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { sql } from 'kysely';
import { createTestApp, json, type TestApp } from '../helpers/app.ts';
import { ovokRegister, uniqueEmail } from '../helpers/ovok.ts';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.ts';

const shared = (process.env.REDIS_URL ?? '') !== '' && (process.env.DATABASE_URL ?? '') !== '';

function sessionOf(accessToken: string): string {
  const payload = JSON.parse(Buffer.from(accessToken.split('.')[1] ?? '', 'base64url').toString('utf8')) as { sid: string };
  return payload.sid;
}

/** Waits for something that happens asynchronously (a pub/sub message, a reconnect); fails after `ms`. */
async function eventually(what: string, check: () => boolean | Promise<boolean>, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const ABUSE_ENV = {
  RATE_LIMITS: 'on',
  RATE_LIMIT_LOGIN: '4/60',
  BRUTE_FORCE: 'on',
  BRUTE_FORCE_MAX_FAILURES: '3',
};

describe('one instance without Redis (in-process state)', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp({ ...ABUSE_ENV, REDIS_URL: '' });
  });
  after(async () => t.close());

  it('counts limits, locks attackers and refuses logged-out tokens in memory', async () => {
    assert.equal(t.app.core.redis, undefined);
    const { email, password, tokens } = await ovokRegister(t.app, t.clientId);
    const login = (pw: string, remoteAddress: string) =>
      t.app.inject({ method: 'POST', url: '/v2/auth/login', remoteAddress, payload: { email, password: pw, clientId: t.clientId } });
    for (let i = 0; i < 3; i += 1) assert.equal((await login('wrong-password', '10.20.0.1')).statusCode, 401);
    assert.equal((await login(password, '10.20.0.1')).statusCode, 429);
    assert.equal((await login(password, '10.20.0.2')).statusCode, 200);
    const auth = { authorization: `Bearer ${tokens.accessToken}` };
    assert.equal((await t.app.inject({ method: 'POST', url: '/auth/logout', headers: auth })).statusCode, 204);
    assert.equal((await t.app.inject({ method: 'GET', url: '/auth/me', headers: auth })).statusCode, 401);
  });
});

describe('an instance whose Redis is unreachable', () => {
  let t: TestApp;
  before(async () => {
    // Nothing listens on port 1: the instance starts anyway and falls back to local state.
    t = await createTestApp({ ...ABUSE_ENV, REDIS_URL: 'redis://127.0.0.1:1' });
  });
  after(async () => t.close());

  it('starts, serves, limits and revokes with local state', async () => {
    assert.equal(t.app.core.redis?.ready, false);
    const { email, password, tokens } = await ovokRegister(t.app, t.clientId);
    const login = (pw: string) =>
      t.app.inject({
        method: 'POST',
        url: '/v2/auth/login',
        remoteAddress: '10.25.0.1',
        payload: { email, password: pw, clientId: t.clientId },
      });
    assert.equal((await login(password)).statusCode, 200);
    for (let i = 0; i < 3; i += 1) assert.equal((await login('wrong-password')).statusCode, 401);
    assert.equal((await login(password)).statusCode, 429);
    const auth = { authorization: `Bearer ${tokens.accessToken}` };
    assert.equal((await t.app.inject({ method: 'GET', url: '/auth/me', headers: auth })).statusCode, 200);
    assert.equal((await t.app.inject({ method: 'POST', url: '/auth/logout', headers: auth })).statusCode, 204);
    assert.equal((await t.app.inject({ method: 'GET', url: '/auth/me', headers: auth })).statusCode, 401);
    const metrics = await t.app.inject({ method: 'GET', url: '/metrics' });
    assert.match(metrics.body, /^gatehouse_redis_up\{[^}]*\} 0$/m);
  });
});

describe('two instances sharing PostgreSQL and Redis', { skip: shared ? false : 'needs DATABASE_URL and REDIS_URL' }, () => {
  let a: TestApp;
  let b: TestApp;
  // Both instances reach Redis through a relay of this test's own, so cutting or freezing their
  // connections does not disturb the other test files that share the Redis server.
  let redis: TcpProxy;
  before(async () => {
    redis = await startTcpProxy(process.env.REDIS_URL ?? '');
    const env = { ...ABUSE_ENV, REDIS_URL: redis.url, REDIS_KEY_PREFIX: `gatehouse-test:${randomBytes(6).toString('hex')}:` };
    a = await createTestApp(env);
    b = await createTestApp(env, { databaseUrl: a.databaseUrl });
  });
  after(async () => {
    await b.close();
    await a.close();
    await redis.close();
  });

  const login = (app: TestApp, email: string, password: string, remoteAddress: string) =>
    app.app.inject({ method: 'POST', url: '/v2/auth/login', remoteAddress, payload: { email, password, clientId: a.clientId } });

  it('serve the same project and client', () => {
    assert.equal(b.clientId, a.clientId);
  });

  it('count rate limits across both instances', async () => {
    for (const app of [a, b, a, b]) assert.equal((await login(app, uniqueEmail(), 'wrong-password', '10.21.0.1')).statusCode, 401);
    assert.equal((await login(a, uniqueEmail(), 'wrong-password', '10.21.0.1')).statusCode, 429);
    assert.equal((await login(b, uniqueEmail(), 'wrong-password', '10.21.0.1')).statusCode, 429);
  });

  it('share brute-force state: an attacker spreading guesses over both is locked on both, the owner is not', async () => {
    const { email, password } = await ovokRegister(a.app, a.clientId);
    for (const app of [a, b, a]) assert.equal((await login(app, email, 'wrong-password', '10.22.0.66')).statusCode, 401);
    assert.equal((await login(b, email, password, '10.22.0.66')).statusCode, 429);
    assert.equal((await login(a, email, password, '10.22.0.66')).statusCode, 429);
    assert.equal((await login(b, email, password, '10.22.0.7')).statusCode, 200);
  });

  it('check tokens without a Redis round trip (GET /auth/me is the hot path)', async () => {
    const { tokens } = await ovokRegister(a.app, a.clientId);
    const auth = { authorization: `Bearer ${tokens.accessToken}` };
    assert.equal((await b.app.inject({ method: 'GET', url: '/auth/me', headers: auth })).statusCode, 200);
    const client = b.app.core.redis?.client;
    assert.ok(client);
    const original = client.sendCommand.bind(client);
    let sent = 0;
    client.sendCommand = (...args: Parameters<typeof original>) => {
      sent += 1;
      return original(...args);
    };
    try {
      for (let i = 0; i < 20; i += 1) assert.equal((await b.app.inject({ method: 'GET', url: '/auth/me', headers: auth })).statusCode, 200);
    } finally {
      client.sendCommand = original;
    }
    assert.equal(sent, 0);
  });

  it('refuse on instance B a token logged out on instance A, although B had already accepted it', async () => {
    const { tokens } = await ovokRegister(a.app, a.clientId);
    const auth = { authorization: `Bearer ${tokens.accessToken}` };
    assert.equal((await b.app.inject({ method: 'GET', url: '/auth/me', headers: auth })).statusCode, 200);
    assert.equal((await a.app.inject({ method: 'POST', url: '/auth/logout', headers: auth })).statusCode, 204);
    await eventually('the revocation to reach B', () => b.app.core.revocations.isRevoked(sessionOf(tokens.accessToken)));
    assert.equal((await b.app.inject({ method: 'GET', url: '/auth/me', headers: auth })).statusCode, 401);
  });

  it('keep answering when their Redis connections are cut, and share state again once reconnected', async () => {
    const { email, password } = await ovokRegister(a.app, a.clientId);
    redis.cut();
    for (const app of [a, b]) assert.equal((await login(app, email, password, '10.23.0.1')).statusCode, 200);
    await eventually('both instances to reconnect', () => a.app.core.redis?.ready === true && b.app.core.redis?.ready === true);

    const { tokens } = await ovokRegister(b.app, b.clientId);
    const auth = { authorization: `Bearer ${tokens.accessToken}` };
    assert.equal((await a.app.inject({ method: 'GET', url: '/auth/me', headers: auth })).statusCode, 200);
    assert.equal((await b.app.inject({ method: 'POST', url: '/auth/logout', headers: auth })).statusCode, 204);
    await eventually('the revocation to reach A', () => a.app.core.revocations.isRevoked(sessionOf(tokens.accessToken)));
    for (const app of [a, b, a, b]) assert.equal((await login(app, uniqueEmail(), 'wrong-password', '10.23.0.9')).statusCode, 401);
    assert.equal((await login(a, uniqueEmail(), 'wrong-password', '10.23.0.9')).statusCode, 429);
  });

  it('keep answering while Redis hangs, and deliver a logout made meanwhile once it is back', async () => {
    const { email, password, tokens } = await ovokRegister(a.app, a.clientId);
    const auth = { authorization: `Bearer ${tokens.accessToken}` };
    assert.equal((await b.app.inject({ method: 'GET', url: '/auth/me', headers: auth })).statusCode, 200);
    redis.freeze(1000);
    assert.equal((await login(a, email, password, '10.24.0.1')).statusCode, 200);
    assert.equal((await login(b, email, 'wrong-password', '10.24.0.1')).statusCode, 401);
    assert.equal((await a.app.inject({ method: 'POST', url: '/auth/logout', headers: auth })).statusCode, 204);
    assert.equal((await b.app.inject({ method: 'GET', url: '/healthz' })).statusCode, 200);
    await eventually('the logout to reach B after the pause', () => b.app.core.revocations.isRevoked(sessionOf(tokens.accessToken)), 8000);
    assert.equal((await b.app.inject({ method: 'GET', url: '/auth/me', headers: auth })).statusCode, 401);
  });

  it('extend one audit chain from both instances', async () => {
    for (let i = 0; i < 60; i += 1) {
      a.app.core.events.emit({ action: 'test.instance', outcome: 'success', detail: { from: 'a', i } });
      b.app.core.events.emit({ action: 'test.instance', outcome: 'success', detail: { from: 'b', i } });
    }
    await Promise.all([a.app.core.audit.flush(), b.app.core.audit.flush()]);
    const result = await a.app.core.audit.verify();
    assert.equal(result.ok, true, JSON.stringify(result.firstBad));
    const rows = await a.app.core.database.db.selectFrom('audit_log').select('id').where('action', '=', 'test.instance').execute();
    assert.equal(rows.length, 120);
  });

  it('`gatehouse audit verify` exits 0 on the intact chain and 1, naming the row, after an edit', async () => {
    const run = promisify(execFile);
    const env = { ...process.env, DATABASE_URL: a.databaseUrl ?? '', REDIS_URL: '', LOG_LEVEL: 'silent' };
    const ok = await run(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'audit', 'verify', '--json'], { env });
    assert.equal(json<{ ok: boolean }>({ body: ok.stdout }).ok, true);
    const tail = await run(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'audit', 'tail', '--limit', '3', '--json'], { env });
    const lines = tail.stdout
      .trim()
      .split('\n')
      .map((text) => json<{ id: string; action: string }>({ body: text }));
    assert.equal(lines.length, 3);
    assert.ok(Number(lines[0]?.id) < Number(lines[2]?.id), 'oldest first, like tail');
    const target = await a.app.core.database.db
      .selectFrom('audit_log')
      .select('id')
      .where('action', '=', 'register')
      .executeTakeFirstOrThrow();
    await sql`UPDATE audit_log SET remote_address = '127.0.0.2' WHERE id = ${target.id}`.execute(a.app.core.database.db);
    const broken = await run(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'audit', 'verify', '--json'], { env }).then(
      () => assert.fail('verify should exit non-zero'),
      (error: { code: number; stdout: string }) => error,
    );
    assert.equal(broken.code, 1);
    const report = json<{ ok: boolean; firstBad: { id: number; row: { remoteAddress: string } } }>({ body: broken.stdout });
    assert.equal(report.ok, false);
    assert.equal(report.firstBad.id, target.id);
    assert.equal(report.firstBad.row.remoteAddress, '127.0.0.2');
  });
});
