import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { ovokRegister, uniqueEmail } from '../helpers/ovok.ts';

describe('GET /metrics', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp({ RATE_LIMITS: 'on', RATE_LIMIT_LOGIN: '2/60', METRICS_TOKEN: 'scrape-token-123' });
  });
  after(async () => t.close());

  const scrape = async (): Promise<string> => {
    const response = await t.app.inject({ method: 'GET', url: '/metrics', headers: { authorization: 'Bearer scrape-token-123' } });
    assert.equal(response.statusCode, 200);
    assert.match(String(response.headers['content-type']), /^text\/plain/);
    return response.body;
  };

  it('needs the metrics token when one is configured', async () => {
    assert.equal((await t.app.inject({ method: 'GET', url: '/metrics' })).statusCode, 401);
    assert.equal((await t.app.inject({ method: 'GET', url: '/metrics', headers: { authorization: 'Bearer wrong' } })).statusCode, 401);
  });

  it('exposes request counts and latency by route and status, login outcomes, rate-limit refusals, hash queue and DB pool', async () => {
    const { email, password } = await ovokRegister(t.app, t.clientId);
    const login = (body: Record<string, string>) =>
      t.app.inject({ method: 'POST', url: '/v2/auth/login', remoteAddress: '10.9.0.1', payload: { clientId: t.clientId, ...body } });
    assert.equal((await login({ email, password })).statusCode, 200);
    assert.equal((await login({ email: uniqueEmail(), password: 'wrong-password' })).statusCode, 401);
    assert.equal((await login({ email, password })).statusCode, 429);
    const text = await scrape();
    const line = (pattern: RegExp): number => {
      const match = text.split('\n').find((candidate) => pattern.test(candidate));
      assert.ok(match, `no line matching ${pattern}`);
      return Number(match.split(' ').pop());
    };
    assert.equal(line(/^gatehouse_http_request_duration_seconds_count\{.*method="POST".*route="\/v2\/auth\/login".*status="401"/), 1);
    assert.equal(line(/^gatehouse_http_request_duration_seconds_count\{.*route="\/v2\/auth\/login".*status="429"/), 1);
    assert.ok(
      line(/^gatehouse_http_request_duration_seconds_bucket\{(?=.*route="\/v2\/auth\/login")(?=.*status="200")(?=.*le="\+Inf")/) >= 1,
    );
    assert.equal(line(/^gatehouse_logins_total\{.*outcome="success"/), 1);
    assert.equal(line(/^gatehouse_logins_total\{.*outcome="failure"/), 1);
    assert.equal(line(/^gatehouse_rate_limited_total\{.*bucket="login".*dimension="ip"/), 1);
    assert.equal(line(/^gatehouse_security_events_total\{.*action="register".*outcome="success"/), 1);
    assert.equal(line(/^gatehouse_hash_queue_depth/), 0);
    assert.equal(line(/^gatehouse_hash_in_flight/), 0);
    assert.ok(line(/^gatehouse_db_pool_connections/) >= 1);
    assert.ok(line(/^gatehouse_audit_backlog/) >= 0);
    assert.ok(line(/^gatehouse_db_pool_waiting/) >= 0);
    assert.ok(
      line(/^gatehouse_process_resident_memory_bytes|^gatehouse_process_heap_bytes|^gatehouse_process_nodejs_heap_size_total_bytes/) > 0,
    );
  });
});
