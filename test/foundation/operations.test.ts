import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { ConfigError, loadConfig } from '../../src/config.ts';
import { buildApp } from '../../src/http/app.ts';
import { ADMIN_TOKEN, createTestApp, freshPostgresDatabase, json, onPostgres, testEnv, type TestApp } from '../helpers/app.ts';
import { ovokLogin, ovokRegister } from '../helpers/ovok.ts';

interface OpenApi {
  openapi: string;
  paths: Record<
    string,
    Record<
      string,
      { tags?: string[]; requestBody?: { content: Record<string, { schema: { properties?: Record<string, unknown>; $ref?: string } }> } }
    >
  >;
}

describe('OpenAPI, docs, logging, config and load shedding', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(async () => t.close());

  it('publishes an OpenAPI 3.1 document built from the request schemas', async () => {
    const doc = json<OpenApi>(await t.app.inject({ method: 'GET', url: '/openapi.json' }));
    assert.equal(doc.openapi, '3.1.0');
    for (const path of ['/auth/register', '/v2/auth/login', '/auth/refresh-token', '/auth/me', '/auth/logout', '/auth/session']) {
      assert.ok(doc.paths[path], path);
    }
    const register = doc.paths['/auth/register']?.post;
    assert.ok(register?.tags?.includes('ovok'));
    const schema = register?.requestBody?.content['application/json']?.schema;
    for (const field of ['email', 'password', 'clientId', 'name', 'surname']) assert.ok(schema?.properties?.[field], field);
    for (const [path, method] of [
      ['/v2/auth/login', 'post'],
      ['/auth/refresh-token', 'post'],
      ['/auth/me', 'get'],
    ] as const) {
      assert.ok(doc.paths[path]?.[method]?.tags?.includes('ovok'), path);
    }
    assert.ok(doc.paths['/v1/auth/register']?.post?.tags?.includes('pixelmover'));
    assert.ok(doc.paths['/api/v1/auth/register']?.post?.tags?.includes('jinuai'));
  });

  it('serves /docs and every asset it references itself, with no other host', async () => {
    const page = await t.app.inject({ method: 'GET', url: '/docs' });
    const html =
      page.statusCode === 302 || page.statusCode === 301 ? await t.app.inject({ method: 'GET', url: String(page.headers.location) }) : page;
    assert.equal(html.statusCode, 200);
    assert.match(String(html.headers['content-type']), /text\/html/);
    assert.doesNotMatch(html.body, /(src|href)=["']https?:\/\//);
    assert.doesNotMatch(html.body, /https?:\/\/(?!localhost[:/])/);
    const refs = [...html.body.matchAll(/(?:src|href)=["']([^"'#]+)["']/g)].map((m) => m[1] as string);
    assert.ok(refs.length > 0);
    for (const ref of refs) {
      const url = new URL(ref, 'http://x/docs/').pathname;
      const asset = await t.app.inject({ method: 'GET', url });
      assert.equal(asset.statusCode, 200, url);
    }
  });

  it('never logs a password, token or admin secret, and tags request lines with reqId', async () => {
    const lines: string[] = [];
    const stream = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(
          ...chunk
            .toString()
            .split('\n')
            .filter((l) => l !== ''),
        );
        done();
      },
    });
    const db = onPostgres() ? await freshPostgresDatabase() : undefined;
    const config = loadConfig(testEnv({ LOG_LEVEL: 'info', GATEHOUSE_DATA_DIR: 'memory://', ...(db ? { DATABASE_URL: db.url } : {}) }));
    const app = await buildApp(config, { logger: pino({ level: 'info' }, stream) });
    try {
      const { client } = await app.core.projects.ensureDefault();
      const password = 'Sup3r-secret-passphrase';
      const { email, tokens } = await ovokRegister(app, client.id, { password });
      const login = await ovokLogin(app, client.id, email, password);
      const refreshed = json<{ access_token: string; refresh_token: string }>(
        await app.inject({ method: 'POST', url: '/auth/refresh-token', payload: { refresh_token: login.refreshToken } }),
      );
      await app.inject({ method: 'POST', url: '/auth/logout', headers: { authorization: `Bearer ${refreshed.access_token}` } });
      await app.inject({ method: 'GET', url: '/admin/projects', headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
      await app.inject({ method: 'GET', url: '/auth/me', headers: { authorization: `Bearer ${tokens.accessToken}` } });
      const secrets = [
        password,
        tokens.accessToken,
        tokens.refreshToken,
        login.accessToken,
        login.refreshToken,
        refreshed.access_token,
        refreshed.refresh_token,
        ADMIN_TOKEN,
      ];
      assert.ok(lines.length > 0);
      for (const line of lines)
        for (const secret of secrets) assert.ok(!line.includes(secret), `secret in log line: ${line.slice(0, 200)}`);
      const requestLines = lines.map((l) => JSON.parse(l) as { req?: unknown; reqId?: string }).filter((l) => l.req !== undefined);
      assert.ok(requestLines.length > 0);
      for (const line of requestLines) assert.equal(typeof line.reqId, 'string');
    } finally {
      await app.close();
      await db?.drop();
    }
  });

  it('validates config, naming the wrong variable', () => {
    assert.throws(
      () => loadConfig({ PORT: 'abc' }),
      (e: unknown) => e instanceof ConfigError && /PORT/.test(e.message),
    );
    assert.throws(
      () => loadConfig({ DATABASE_URL: 'mysql://x' }),
      (e: unknown) => e instanceof ConfigError && /DATABASE_URL/.test(e.message),
    );
    assert.throws(
      () => loadConfig({ ARGON2_MEMORY_KIB: '-1' }),
      (e: unknown) => e instanceof Error && /ARGON2_MEMORY_KIB/.test(e.message),
    );
  });

  it('sheds logins past the hash queue with 503 + Retry-After while health and bearer reads answer', async () => {
    const h = await createTestApp({ HASH_CONCURRENCY: '1', HASH_QUEUE_LIMIT: '1', ARGON2_MEMORY_KIB: '19456', ARGON2_ITERATIONS: '2' });
    try {
      const { email, password, tokens } = await ovokRegister(h.app, h.clientId);
      const flood = Array.from({ length: 30 }, () =>
        h.app.inject({ method: 'POST', url: '/v2/auth/login', payload: { email, password, clientId: h.clientId } }),
      );
      const health = await h.app.inject({ method: 'GET', url: '/healthz' });
      const me = await h.app.inject({ method: 'GET', url: '/auth/me', headers: { authorization: `Bearer ${tokens.accessToken}` } });
      const results = await Promise.all(flood);
      assert.equal(health.statusCode, 200);
      assert.equal(me.statusCode, 200);
      const shed = results.filter((r) => r.statusCode === 503);
      assert.ok(shed.length >= 1);
      assert.ok(results.some((r) => r.statusCode === 200));
      for (const r of results) assert.ok(r.statusCode === 200 || r.statusCode === 503, String(r.statusCode));
      for (const r of shed) {
        assert.ok(Number(r.headers['retry-after']) >= 1);
        const outcome = json<{ resourceType: string; issue: Array<{ code: string }> }>(r);
        assert.equal(outcome.resourceType, 'OperationOutcome');
        assert.equal(outcome.issue[0]?.code, 'transient');
      }
    } finally {
      await h.close();
    }
  });

  // Regression: a login refused for a full hash queue still parsed its body and looked the user
  // up first, and under a flood that work starved /healthz and bearer reads of the event loop.
  it('sheds sign-ins and sign-ups of every contract, after a pause, before reading the body or the database while the hash queue is full', async () => {
    // One hash slot, no queue, and a hash that takes far longer than the pause.
    const h = await createTestApp({
      HASH_CONCURRENCY: '1',
      HASH_QUEUE_LIMIT: '0',
      HASH_SHED_DELAY_MS: '150',
      ARGON2_MEMORY_KIB: '19456',
      ARGON2_ITERATIONS: '60',
    });
    try {
      const { email, password } = await ovokRegister(h.app, h.clientId);
      const busy = h.app.inject({ method: 'POST', url: '/v2/auth/login', payload: { email, password, clientId: h.clientId } });
      while (!h.app.core.hasher.full) await new Promise((resolve) => setImmediate(resolve));
      let lookups = 0;
      const users = h.app.core.users;
      const original = users.forSignIn.bind(users);
      users.forSignIn = async (...args) => {
        lookups += 1;
        return original(...args);
      };
      try {
        const attempts = [
          { url: '/v2/auth/login', payload: { email, password, clientId: h.clientId } },
          { url: '/auth/register', payload: { email: 'new-user@example.com', password, clientId: h.clientId, name: 'A', surname: 'B' } },
          { url: '/v1/auth/login', payload: { email, password } },
          { url: '/api/v1/auth/login', payload: { email, password } },
          // Not even a body that would fail validation is read.
          { url: '/v2/auth/login', payload: '{"email": ' },
        ];
        const started = Date.now();
        const responses = await Promise.all(
          attempts.map((attempt) => h.app.inject({ method: 'POST', headers: { 'content-type': 'application/json' }, ...attempt })),
        );
        const elapsed = Date.now() - started;
        assert.ok(h.app.core.hasher.full, 'the slot was still busy when the answers came');
        for (const [index, response] of responses.entries()) {
          assert.equal(response.statusCode, 503, `${attempts[index]?.url}: ${response.body}`);
          assert.equal(response.headers['retry-after'], '1');
        }
        assert.ok(elapsed >= 140, `answered after ${elapsed} ms, before the pause`);
        assert.equal(lookups, 0);
      } finally {
        users.forSignIn = original;
      }
      assert.equal((await busy).statusCode, 200);
      assert.equal(
        (await h.app.inject({ method: 'POST', url: '/v2/auth/login', payload: { email, password, clientId: h.clientId } })).statusCode,
        200,
      );
    } finally {
      await h.close();
    }
  });
});
