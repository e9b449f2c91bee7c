import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import fc from 'fast-check';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { FuzzCredentials, FuzzStats, type Style } from '../fuzz/credentials.ts';
import { endpointProperty, listOperations, type Operation } from '../fuzz/endpoint-fuzz.ts';

let t: TestApp;
let ops: Operation[];
before(async () => {
  t = await createTestApp();
  ops = await listOperations(t.app);
});
after(async () => t.close());

test('the OpenAPI document lists the endpoints of every contract', () => {
  const paths = ops.map((o) => o.path);
  for (const p of ['/auth/register', '/v1/auth/register', '/api/v1/auth/register']) assert.ok(paths.includes(p), p);
});

test('hostile requests to every public endpoint: no 5xx, no leak, the contract error format', async () => {
  const stats = new FuzzStats();
  const details = await fc.check(endpointProperty(t.app, ops, { credentials: new FuzzCredentials(t.app, t.clientId), stats }), {
    numRuns: Number(process.env.FUZZ_CI_RUNS ?? 3000),
    seed: Number(process.env.FUZZ_SEED ?? 7),
  });
  // The counterexample can be a 100 kB body: report the broken invariant, not the input.
  assert.equal(
    details.failed,
    false,
    `${String(details.errorInstance).slice(0, 1500)}\ninput: ${fc.stringify(details.counterexample).slice(0, 1500)}`,
  );
  // Every contract was reached, and some requests got past authentication and validation.
  for (const style of ['ovok', 'pixelmover', 'jinuai', 'admin', 'other'] as Style[]) {
    assert.ok(stats.cases(style) > 100, `${style}: ${stats.summary(style)}`);
    assert.equal(stats.serverErrors(style), 0, `${style}: ${stats.summary(style)}`);
  }
  const health = await t.app.inject({ method: 'GET', url: '/healthz' });
  assert.equal(health.statusCode, 200);
});

test('regression: a body nested 5,000 levels deep gets a FastAPI 422, not a 500 from the serializer', async () => {
  const res = await t.app.inject({
    method: 'POST',
    url: '/api/v1/auth/token',
    headers: { 'content-type': 'application/json' },
    payload: `${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}`,
  });
  assert.equal(res.statusCode, 422);
  assert.equal(res.json<{ detail: { type: string }[] }>().detail[0]?.type, 'missing');
});

test('regression: a body nested 5,000 levels deep gets a Laravel 422 from PixelMover, not a 500', async () => {
  const res = await t.app.inject({
    method: 'POST',
    url: '/v1/auth/two-factor-challenge',
    headers: { 'content-type': 'application/json' },
    payload: `${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}`,
  });
  assert.equal(res.statusCode, 422);
  assert.equal(typeof res.json<{ message: string }>().message, 'string');
});

test('regression: a PixelMover 422 for a field named constructor or __proto__ is a Laravel 422, not a 500', async () => {
  for (const key of ['constructor', '__proto__', 'toString']) {
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/email/verification-notification',
      headers: { 'content-type': 'application/json' },
      payload: `{"${key}":"a\\u0000b"}`,
    });
    assert.ok(res.statusCode < 500, `${key}: ${res.statusCode} ${res.body}`);
  }
  const res = await t.app.inject({
    method: 'POST',
    url: '/v1/auth/register',
    headers: { 'content-type': 'application/json' },
    payload: '{"constructor":"a\\u0000b","name":"Ada"}',
  });
  assert.equal(res.statusCode, 422, res.body);
  assert.deepEqual(Object.keys(res.json<{ errors: Record<string, string[]> }>().errors), ['constructor']);
});

test('regression: an invalid percent-escape in a path is a 400 in the contract style, not Fastify own body', async () => {
  const ovok = await t.app.inject({ method: 'DELETE', url: '/auth/session/%FF' });
  assert.equal(ovok.statusCode, 400);
  assert.equal(ovok.json<{ resourceType: string }>().resourceType, 'OperationOutcome');
  const jinuai = await t.app.inject({ method: 'GET', url: '/api/v1/user/%FF/lookup' });
  assert.equal(jinuai.statusCode, 400);
  assert.equal(typeof jinuai.json<{ detail: unknown }>().detail, 'string');
  const pixelmover = await t.app.inject({ method: 'DELETE', url: '/v1/api-keys/%C0%AF' });
  assert.equal(pixelmover.statusCode, 400);
  assert.equal(typeof pixelmover.json<{ message: unknown }>().message, 'string');
  const admin = await t.app.inject({ method: 'GET', url: '/admin/users/%ED%A0%80' });
  assert.equal(admin.statusCode, 400);
  assert.equal(typeof admin.json<{ error: unknown }>().error, 'string');
});
