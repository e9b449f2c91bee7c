import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { register as pmRegister } from '../pixelmover/helpers.ts';

const ALLOWED = 'https://allowed.example.test';

let t: TestApp;
before(async () => {
  t = await createTestApp();
  await t.app.core.projects.createClient(t.projectId, 'web app', [ALLOWED]);
});
after(async () => t.close());

describe('security headers, CORS per client, CSRF for PixelMover cookies', () => {
  it('JSON answers forbid framing, sniffing, referrers and any active content; /docs still loads', async () => {
    const r = await t.app.inject({ method: 'GET', url: '/api/v1/health/liveness' });
    assert.equal(r.headers['x-content-type-options'], 'nosniff');
    assert.equal(r.headers['x-frame-options'], 'DENY');
    assert.equal(r.headers['referrer-policy'], 'no-referrer');
    assert.equal(r.headers['content-security-policy'], "default-src 'none'; frame-ancestors 'none'");
    const docs = await t.app.inject({ method: 'GET', url: '/docs/' });
    assert.equal(docs.statusCode, 200);
    assert.match(String(docs.headers['content-type']), /text\/html/);
    assert.match(String(docs.headers['content-security-policy']), /frame-ancestors '(none|self)'/);
  });

  it('CORS: no headers for an unknown origin; an origin a client allows gets credentials', async () => {
    const pre = (origin: string) =>
      t.app.inject({ method: 'OPTIONS', url: '/v1/auth/login', headers: { origin, 'access-control-request-method': 'POST' } });
    const evil = await pre('https://evil.example.test');
    assert.equal(evil.headers['access-control-allow-origin'], undefined);
    const good = await pre(ALLOWED);
    assert.equal(good.headers['access-control-allow-origin'], ALLOWED);
    assert.equal(good.headers['access-control-allow-credentials'], 'true');
  });

  it('CSRF: a cookie-authenticated PixelMover change from a foreign origin is refused with 419; allowed, own, API-key and origin-less requests pass', async () => {
    const { cookie, body } = await pmRegister(t.app);
    const create = (headers: Record<string, string>) =>
      t.app.inject({ method: 'POST', url: '/v1/api-keys', headers, payload: { name: 'k' } });
    const foreign = await create({ cookie, origin: 'https://evil.example.test' });
    assert.equal(foreign.statusCode, 419);
    assert.deepEqual(foreign.json(), { message: 'CSRF token mismatch.' });
    assert.equal((await create({ cookie, referer: 'https://evil.example.test/page' })).statusCode, 419);
    assert.equal((await create({ cookie, origin: 'null' })).statusCode, 419);
    assert.equal((await create({ cookie, origin: ALLOWED })).statusCode, 201);
    assert.equal((await create({ cookie, origin: 'http://gatehouse.test' })).statusCode, 201);
    assert.equal((await create({ cookie })).statusCode, 201);
    assert.equal((await create({ authorization: `Bearer ${body.data.api_key.key}`, origin: 'https://evil.example.test' })).statusCode, 201);
  });
});
