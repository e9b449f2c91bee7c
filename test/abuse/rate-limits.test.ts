import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { addressKey } from '../../src/core/abuse/client-address.ts';
import { accountOf, limits, mustDeclareLimits } from '../../src/http/route-limits.ts';
import { createTestApp, json, type TestApp } from '../helpers/app.ts';
import { ovokRegister, uniqueEmail } from '../helpers/ovok.ts';

interface Outcome {
  resourceType: string;
  issue: Array<{ code: string; details: { text: string } }>;
}

describe('rate-limit budgets declared by the routes', () => {
  // Every route of every contract and the budget it declares. Authenticated reads are not
  // limited: they cost no password hash and sit on the hot path.
  const expected: Record<string, string> = {
    'POST /auth/register': 'register email shed',
    'POST /v2/auth/login': 'login email shed',
    'POST /auth/login': 'login email shed',
    'POST /auth/refresh-token': 'refresh',
    'GET /auth/me': '-',
    'POST /auth/logout': 'auth',
    'GET /auth/session': '-',
    'DELETE /auth/session/:option': 'auth',
    'DELETE /auth/delete': 'auth',
    'POST /auth/reset-password': 'password-reset email',
    'POST /auth/set-password': 'password-reset',
    'POST /auth/change-password': 'password-reset',
    'POST /auth/verify-email': 'password-reset',
    'POST /auth/resend-verification': 'password-reset email',
    'GET /auth/mfa/status': '-',
    'POST /auth/mfa/enroll': 'mfa',
    'POST /auth/mfa/verify': 'mfa',
    'POST /auth/mfa/disable': 'mfa',
    'POST /auth/mfa/recovery-codes': 'mfa',
    'POST /v1/auth/register': 'register email shed',
    'POST /v1/auth/login': 'login email shed',
    'POST /v1/auth/two-factor-challenge': 'mfa',
    'POST /v1/auth/logout': 'auth',
    'GET /v1/auth/me': '-',
    'POST /v1/auth/forgot-password': 'password-reset email',
    'POST /v1/auth/reset-password': 'password-reset email',
    'PUT /v1/user/password': 'password-reset',
    'POST /v1/email/verification-notification': 'password-reset',
    'GET /v1/email/verify/:id/:hash': 'password-reset',
    'GET /v1/api-keys': '-',
    'POST /v1/api-keys': 'api',
    'DELETE /v1/api-keys/:id': 'api',
    'POST /v1/api-keys/:id/primary': 'api',
    'POST /v1/user/two-factor-authentication': 'mfa',
    'GET /v1/user/two-factor-qr-code': '-',
    'GET /v1/user/two-factor-secret-key': '-',
    'POST /v1/user/confirmed-two-factor-authentication': 'mfa',
    'POST /v1/user/two-factor-recovery-codes': 'mfa',
    'DELETE /v1/user/two-factor-authentication': 'mfa',
    'POST /api/v1/auth/register': 'register email shed',
    'POST /api/v1/auth/login': 'login email,username shed',
    'POST /api/v1/auth/token': 'refresh',
    'POST /api/v1/auth/mfa/verify': 'mfa',
    'GET /api/v1/user/whoami': '-',
    'POST /api/v1/user/update': 'none',
    'POST /api/v1/user/delete': 'auth',
    'POST /api/v1/user/recover': 'password-reset email',
    'GET /api/v1/user/search': '-',
    'GET /api/v1/user/:account/lookup': '-',
    'POST /api/v1/password-recovery/:email': 'password-reset email',
    'POST /api/v1/reset-password/': 'password-reset',
    'PATCH /api/v1/users/me/password': 'password-reset',
    'GET /api/v1/users/me/mfa': '-',
    'POST /api/v1/users/me/mfa/enable': 'mfa',
    'POST /api/v1/users/me/mfa/disable': 'mfa',
    'POST /admin/projects': 'none',
    'PATCH /admin/projects/:projectId': 'none',
    'POST /admin/projects/:projectId/clients': 'none',
    'POST /admin/keys/rotate': 'none',
  };

  it('puts every auth endpoint of every contract in a budget, and leaves authenticated reads alone', async () => {
    const t = await createTestApp();
    try {
      const declared = new Map(
        t.app.routeLimits.map(({ method, url, limits }) => [
          `${method} ${url}`,
          limits === undefined
            ? '-'
            : [limits.bucket, limits.account?.join(','), limits.shed ? 'shed' : undefined].filter((part) => part !== undefined).join(' '),
        ]),
      );
      for (const [route, budget] of Object.entries(expected)) assert.equal(declared.get(route), budget, route);
      // Every route that can change state declares a budget (possibly none), so none was forgotten.
      for (const { method, url, limits } of t.app.routeLimits) {
        if (mustDeclareLimits(method.split(','))) assert.notEqual(limits, undefined, `${method} ${url}`);
      }
    } finally {
      await t.close();
    }
  });

  it('refuses to start with a state-changing route that declares no budget', async () => {
    const { default: Fastify } = await import('fastify');
    const { installRateLimits } = await import('../../src/http/rate-limit.ts');
    const t = await createTestApp();
    const app = Fastify();
    try {
      installRateLimits(app, t.app.core);
      assert.throws(() => app.post('/auth/forgotten', async () => ({})), /POST \/auth\/forgotten declares no rate-limit budget/);
      app.post('/auth/declared', { config: limits('password-reset', { account: ['email'] }) }, async () => ({}));
      assert.deepEqual(app.routeLimits.at(-1), {
        method: 'POST',
        url: '/auth/declared',
        limits: { bucket: 'password-reset', account: ['email'] },
      });
    } finally {
      await app.close();
      await t.close();
    }
  });

  it('counts IPv4 addresses one by one and IPv6 addresses by /64', () => {
    assert.equal(addressKey('192.0.2.1'), '192.0.2.1');
    assert.equal(addressKey('::ffff:192.0.2.1'), '192.0.2.1');
    assert.equal(addressKey('2001:db8:1:2::1'), '2001:db8:1:2::/64');
    assert.equal(addressKey('2001:0db8:0001:0002:ffff:1:2:3'), '2001:db8:1:2::/64');
    assert.equal(addressKey('2001:db8::1'), '2001:db8:0:0::/64');
    assert.equal(addressKey(undefined), 'unknown');
  });

  it('keys per-account budgets on the declared fields, lower-cased, also from multipart fields', () => {
    assert.equal(accountOf(['email'], { email: ' Jane@Example.COM ', password: 'x' }), 'jane@example.com');
    assert.equal(accountOf(['email', 'username'], { username: 'Jane@example.com' }), 'jane@example.com');
    assert.equal(accountOf(['email'], { username: 'Jane@example.com' }), undefined);
    assert.equal(accountOf(['email'], { email: { value: 'A@b.c' } }), 'a@b.c');
    assert.equal(accountOf(['email'], { refresh_token: 'x' }), undefined);
    assert.equal(accountOf(['email'], undefined), undefined);
    assert.equal(accountOf(['email'], undefined, { email: 'Path@Example.com' }), 'path@example.com');
  });
});

describe('rate limits (Ovok, in this process)', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp({
      RATE_LIMITS: 'on',
      BRUTE_FORCE: 'on',
      RATE_LIMIT_AUTH: '50/60',
      RATE_LIMIT_LOGIN: '3/60',
      RATE_LIMIT_LOGIN_ACCOUNT: '4/60',
      RATE_LIMIT_REGISTER: '0',
      RATE_LIMIT_REGISTER_ACCOUNT: '0',
      RATE_LIMIT_PASSWORD_RESET_ACCOUNT: '2/3600',
    });
  });
  after(async () => t.close());

  const login = (email: string, remoteAddress: string, headers: Record<string, string> = {}) =>
    t.app.inject({
      method: 'POST',
      url: '/v2/auth/login',
      remoteAddress,
      headers,
      payload: { email, password: 'wrong-password', clientId: t.clientId },
    });

  it('refuses the fourth login from one IP with 429, an OperationOutcome and the RateLimit headers', async () => {
    const email = uniqueEmail('ip');
    const first = await login(email, '10.1.0.1');
    assert.equal(first.statusCode, 401);
    assert.equal(first.headers['ratelimit-limit'], '3');
    assert.equal(first.headers['ratelimit-remaining'], '2');
    assert.ok(Number(first.headers['ratelimit-reset']) >= 1 && Number(first.headers['ratelimit-reset']) <= 60);
    await login(email, '10.1.0.1');
    await login(uniqueEmail('ip'), '10.1.0.1');
    const refused = await login(uniqueEmail('ip'), '10.1.0.1');
    assert.equal(refused.statusCode, 429);
    assert.match(String(refused.headers['content-type']), /application\/fhir\+json/);
    const body = json<Outcome>(refused);
    assert.equal(body.resourceType, 'OperationOutcome');
    assert.equal(body.issue[0]?.code, 'throttled');
    assert.equal(refused.headers['ratelimit-remaining'], '0');
    const retryAfter = Number(refused.headers['retry-after']);
    assert.ok(retryAfter >= 1 && retryAfter <= 60, `retry-after ${retryAfter}`);
    // Another address is not affected.
    assert.equal((await login(email, '10.1.0.2')).statusCode, 401);
  });

  it('refuses a fifth login for one account even when it comes from five addresses', async () => {
    const email = uniqueEmail('acct');
    for (let i = 0; i < 4; i += 1) assert.equal((await login(email, `10.2.0.${i}`)).statusCode, 401);
    const refused = await login(email.toUpperCase(), '10.2.0.9');
    assert.equal(refused.statusCode, 429);
    assert.equal(json<Outcome>(refused).issue[0]?.code, 'throttled');
    // Other accounts from that address are fine.
    assert.equal((await login(uniqueEmail('acct'), '10.2.0.9')).statusCode, 401);
  });

  it('does not let others spend the owner out of their account budget: addresses the owner logged in from are exempt', async () => {
    const { email, password } = await ovokRegister(t.app, t.clientId);
    const signIn = (remoteAddress: string, pw: string) =>
      t.app.inject({ method: 'POST', url: '/v2/auth/login', remoteAddress, payload: { email, password: pw, clientId: t.clientId } });
    assert.equal((await signIn('10.12.0.1', password)).statusCode, 200);
    for (let i = 2; i <= 4; i += 1) await signIn(`10.12.0.${i}`, 'wrong-password');
    assert.equal((await signIn('10.12.0.5', password)).statusCode, 429);
    assert.equal((await signIn('10.12.0.1', password)).statusCode, 200);
  });

  it('gives one IPv6 /64 one budget', async () => {
    for (const suffix of ['1', '2', 'abcd:1']) assert.equal((await login(uniqueEmail('v6'), `2001:db8:77:1::${suffix}`)).statusCode, 401);
    assert.equal((await login(uniqueEmail('v6'), '2001:db8:77:1:ffff:ffff:ffff:ffff')).statusCode, 429);
    assert.equal((await login(uniqueEmail('v6'), '2001:db8:77:2::1')).statusCode, 401);
  });

  it('limits password-reset mails per email, whichever address asks', async () => {
    const email = uniqueEmail('reset');
    const reset = (remoteAddress: string) =>
      t.app.inject({ method: 'POST', url: '/auth/reset-password', remoteAddress, payload: { email, clientId: t.clientId } });
    for (const address of ['10.8.0.1', '10.8.0.2']) assert.equal((await reset(address)).statusCode, 200);
    const refused = await reset('10.8.0.3');
    assert.equal(refused.statusCode, 429);
    assert.ok(Number(refused.headers['retry-after']) > 60, 'the per-account window is an hour');
  });

  it('ignores X-Forwarded-For unless TRUST_PROXY says to believe it', async () => {
    for (let i = 0; i < 3; i += 1) {
      assert.equal((await login(uniqueEmail('xff'), '10.3.0.1', { 'x-forwarded-for': `192.0.2.${i}` })).statusCode, 401);
    }
    assert.equal((await login(uniqueEmail('xff'), '10.3.0.1', { 'x-forwarded-for': '192.0.2.200' })).statusCode, 429);
  });

  it('counts invalid requests too (a flood of malformed bodies is still a flood)', async () => {
    const bad = () =>
      t.app.inject({ method: 'POST', url: '/v2/auth/login', remoteAddress: '10.4.0.1', payload: { email: 'not-an-email' } });
    for (let i = 0; i < 3; i += 1) assert.equal((await bad()).statusCode, 422);
    assert.equal((await bad()).statusCode, 429);
  });

  it('does not limit GET /auth/me (no headers, no counting)', async () => {
    const { tokens } = await ovokRegister(t.app, t.clientId);
    for (let i = 0; i < 60; i += 1) {
      const me = await t.app.inject({
        method: 'GET',
        url: '/auth/me',
        remoteAddress: '10.5.0.1',
        headers: { authorization: `Bearer ${tokens.accessToken}` },
      });
      assert.equal(me.statusCode, 200);
      assert.equal(me.headers['ratelimit-limit'], undefined);
    }
  });

  it('shares the per-IP auth budget between all auth endpoints', async () => {
    const address = '10.6.0.1';
    let last = 0;
    for (let i = 0; i < 50; i += 1) {
      const response = await t.app.inject({
        method: 'POST',
        url: '/auth/refresh-token',
        remoteAddress: address,
        payload: { refresh_token: 'ghr_nope' },
      });
      last = response.statusCode;
      assert.notEqual(last, 429, `request ${i + 1} was refused`);
    }
    const refused = await t.app.inject({
      method: 'POST',
      url: '/auth/register',
      remoteAddress: address,
      payload: { email: uniqueEmail(), password: 'password1234', clientId: t.clientId, name: 'A', surname: 'B' },
    });
    assert.equal(refused.statusCode, 429);
  });
});

describe("rate limits behind a trusted proxy, and in the other contracts' styles", () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp({ RATE_LIMITS: 'on', RATE_LIMIT_LOGIN: '2/60', TRUST_PROXY: '127.0.0.1', METRICS: 'off' });
  });
  after(async () => t.close());

  it('serves no /metrics when METRICS is off', async () => {
    assert.equal((await t.app.inject({ method: 'GET', url: '/metrics' })).statusCode, 404);
  });

  it('counts per forwarded client address when the proxy is trusted', async () => {
    const login = (client: string) =>
      t.app.inject({
        method: 'POST',
        url: '/v2/auth/login',
        remoteAddress: '127.0.0.1',
        headers: { 'x-forwarded-for': client },
        payload: { email: uniqueEmail(), password: 'wrong-password', clientId: t.clientId },
      });
    for (let i = 0; i < 2; i += 1) assert.equal((await login('198.51.100.1')).statusCode, 401);
    assert.equal((await login('198.51.100.1')).statusCode, 429);
    assert.equal((await login('198.51.100.2')).statusCode, 401);
  });

  it('PixelMover answers 429 the Laravel way', async (context) => {
    const send = () =>
      t.app.inject({
        method: 'POST',
        url: '/v1/auth/login',
        remoteAddress: '10.7.0.1',
        payload: { email: uniqueEmail(), password: 'wrong-password' },
      });
    const first = await send();
    if (first.statusCode === 404) return context.skip('PixelMover contract not present yet');
    await send();
    const refused = await send();
    assert.equal(refused.statusCode, 429);
    assert.match(json<{ message: string }>(refused).message, /^Too many login attempts\. Please try again in \d+ seconds\.$/);
    assert.ok(Number(refused.headers['retry-after']) >= 1);
    assert.equal(refused.headers['ratelimit-limit'], '2');
    assert.equal(refused.headers['ratelimit-remaining'], '0');
  });

  it('JinuAI answers 429 with {"detail": ...}', async (context) => {
    const send = () =>
      t.app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        remoteAddress: '10.7.0.2',
        payload: { email: uniqueEmail(), password: 'wrong-password' },
      });
    const first = await send();
    if (first.statusCode === 404) return context.skip('JinuAI contract not present yet');
    await send();
    const refused = await send();
    assert.equal(refused.statusCode, 429);
    assert.equal(typeof json<{ detail: unknown }>(refused).detail, 'string');
    assert.ok(Number(refused.headers['retry-after']) >= 1);
    assert.equal(refused.headers['ratelimit-limit'], '2');
    assert.equal(refused.headers['ratelimit-remaining'], '0');
  });
});
