import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import fc from 'fast-check';
import { createTestApp, type TestApp } from '../helpers/app.ts';
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
  const details = await fc.check(endpointProperty(t.app, ops), {
    numRuns: Number(process.env.FUZZ_CI_RUNS ?? 1500),
    seed: Number(process.env.FUZZ_SEED ?? 7),
  });
  // The counterexample can be a 100 kB body: report the broken invariant, not the input.
  assert.equal(
    details.failed,
    false,
    `${String(details.errorInstance).slice(0, 1500)}\ninput: ${fc.stringify(details.counterexample).slice(0, 1500)}`,
  );
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
