import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ErrorCode, GatehouseError } from '../../src/core/errors.ts';
import { renderPixelmoverProblem } from '../../src/contracts/pixelmover/errors.ts';
import { isTimezone } from '../../src/contracts/pixelmover/framework/timezones.ts';
import { isEmail } from '../../src/contracts/pixelmover/framework/validation.ts';
import { createTestApp, json, type TestApp } from '../helpers/app.ts';
import { uniqueEmail } from '../helpers/ovok.ts';
import { LARAVEL_DATE, PASSWORD, register, registration, type Laravel422, type Registered } from './helpers.ts';

const DAY_MS = 24 * 3600 * 1000;

describe('PixelMover POST /v1/auth/register', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(async () => t.close());

  const post = (payload: unknown, headers: Record<string, string> = {}) =>
    t.app.inject({ method: 'POST', url: '/v1/auth/register', payload: payload as string, headers });

  it('answers the seed page: 201 {success, data:{user, api_key, session, subscription}} with every field and type', async () => {
    const email = uniqueEmail('seed');
    const before = Date.now();
    const response = await post({
      name: 'John Doe',
      email,
      password: PASSWORD,
      company: null,
      timezone: null,
      password_confirmation: PASSWORD,
    });
    assert.equal(response.statusCode, 201);
    assert.match(String(response.headers['content-type']), /^application\/json/);
    const body = json<Registered>(response);
    assert.deepEqual(Object.keys(body), ['success', 'data']);
    assert.equal(body.success, true);
    assert.deepEqual(Object.keys(body.data), ['user', 'api_key', 'session', 'subscription']);

    const { user, api_key: apiKey, session, subscription } = body.data;
    assert.deepEqual(
      Object.keys(user).sort(),
      ['company', 'created_at', 'credits', 'email', 'id', 'last_login_at', 'name', 'plan', 'role', 'timezone'].sort(),
    );
    assert.ok(Number.isInteger(user.id) && user.id > 0);
    const row = await t.app.core.users.byEmail(t.projectId, email);
    assert.equal(user.id, row?.number, 'user.id is users.number');
    assert.equal(user.name, 'John Doe');
    assert.equal(user.email, email);
    assert.equal(user.company, null);
    assert.equal(user.timezone, 'UTC', 'a null timezone is stored as UTC');
    assert.equal(row?.timezone, 'UTC');
    assert.equal(user.credits, 100);
    assert.equal(user.role, 'user');
    assert.equal(user.plan, 'trial');
    assert.match(user.created_at, LARAVEL_DATE);
    assert.match(String(user.last_login_at), LARAVEL_DATE);

    assert.deepEqual(Object.keys(apiKey).sort(), ['created_at', 'is_primary', 'key', 'name'].sort());
    assert.match(apiKey.key, /^ghk_[A-Za-z0-9_-]{43}$/);
    assert.equal(typeof apiKey.name, 'string');
    assert.equal(apiKey.is_primary, true);
    assert.match(apiKey.created_at, LARAVEL_DATE);

    assert.deepEqual(session, { remember: false, expires_at: session.expires_at });
    assert.match(session.expires_at, LARAVEL_DATE);
    const ttl = Date.parse(session.expires_at) - before;
    assert.ok(ttl > 7100_000 && ttl <= 7200_000 + 5_000, 'short session lifetime (SESSION_TTL_SECONDS)');

    assert.deepEqual(Object.keys(subscription), ['plan', 'credits', 'expires_at']);
    assert.equal(subscription.plan, 'trial');
    assert.equal(subscription.credits, 100);
    assert.ok(Number.isInteger(subscription.credits));
    const trial = Date.parse(subscription.expires_at) - before;
    assert.ok(Math.abs(trial - 14 * DAY_MS) < 60_000, '14-day trial by default');

    const cookie = String(response.headers['set-cookie']);
    assert.match(cookie, /^gatehouse_session=ghs_/);
  });

  it('stores company and a valid IANA timezone; the full key is stored only as a digest', async () => {
    const { body } = await register(t.app, { company: 'Acme', timezone: 'Asia/Kolkata' });
    assert.equal(body.data.user.company, 'Acme');
    assert.equal(body.data.user.timezone, 'Asia/Kolkata');
    const rows = await t.app.core.database.db.selectFrom('api_keys').selectAll().execute();
    for (const row of rows) assert.ok(!Object.values(row).some((value) => value === body.data.api_key.key));
  });

  it('reports every validation message as Laravel 10+, in rule order, with "(and N more errors)"', async () => {
    const response = await post({ email: 'not-an-email', password: 'short', company: 5, timezone: 'Mars/Olympus_Mons' });
    assert.equal(response.statusCode, 422);
    assert.deepEqual(json(response), {
      message: 'The name field is required. (and 5 more errors)',
      errors: {
        name: ['The name field is required.'],
        email: ['The email field must be a valid email address.'],
        password: ['The password field must be at least 8 characters.', 'The password field confirmation does not match.'],
        company: ['The company field must be a string.'],
        timezone: ['The timezone field must be a valid timezone.'],
      },
    });
  });

  it('says "(and 2 more errors)" for an empty body, and "(and 1 more error)" in the singular', async () => {
    assert.deepEqual(json(await post({})), {
      message: 'The name field is required. (and 2 more errors)',
      errors: {
        name: ['The name field is required.'],
        email: ['The email field is required.'],
        password: ['The password field is required.'],
      },
    });
    const one = json<Laravel422>(await post(registration({ name: 'x'.repeat(256), email: `${'a'.repeat(250)}@example.com` })));
    assert.deepEqual(one, {
      message: 'The name field must not be greater than 255 characters. (and 1 more error)',
      errors: {
        name: ['The name field must not be greater than 255 characters.'],
        email: ['The email field must not be greater than 255 characters.'],
      },
    });
  });

  it('checks types: strings, then sizes; required stops a field; blank strings are missing (TrimStrings, ConvertEmptyStringsToNull)', async () => {
    const response = await post(
      registration({ name: '   ', email: 42, password: 12345678, password_confirmation: 12345678, company: 'x'.repeat(256), timezone: 7 }),
    );
    assert.deepEqual(json(response), {
      message: 'The name field is required. (and 6 more errors)',
      errors: {
        name: ['The name field is required.'],
        email: ['The email field must be a string.', 'The email field must be a valid email address.'],
        password: ['The password field must be a string.'],
        company: ['The company field must not be greater than 255 characters.'],
        timezone: ['The timezone field must be a string.', 'The timezone field must be a valid timezone.'],
      },
    });
  });

  it('refuses a taken email (any case) with "The email has already been taken."', async () => {
    const { email } = await register(t.app);
    const response = await post(registration({ email: `  ${email.toUpperCase()} ` }));
    assert.equal(response.statusCode, 422);
    assert.deepEqual(json(response), {
      message: 'The email has already been taken.',
      errors: { email: ['The email has already been taken.'] },
    });
  });

  it('refuses a password confirmation that does not match, under password', async () => {
    const response = await post(registration({ password_confirmation: `${PASSWORD}x` }));
    assert.deepEqual(json(response), {
      message: 'The password field confirmation does not match.',
      errors: { password: ['The password field confirmation does not match.'] },
    });
  });

  it('reads malformed JSON as no input (422, as Laravel), takes urlencoded forms, refuses other media (415) and oversized bodies (413)', async () => {
    const broken = await post('{"name": "John", ', { 'content-type': 'application/json' });
    assert.equal(broken.statusCode, 422);
    assert.equal(json<Laravel422>(broken).message, 'The name field is required. (and 2 more errors)');

    const form = new URLSearchParams({
      name: 'Form User',
      email: uniqueEmail('form'),
      password: PASSWORD,
      password_confirmation: PASSWORD,
    });
    const viaForm = await post(form.toString(), { 'content-type': 'application/x-www-form-urlencoded' });
    assert.equal(viaForm.statusCode, 201);
    assert.equal(json<Registered>(viaForm).data.user.name, 'Form User');

    const text = await post('name=x', { 'content-type': 'text/plain' });
    assert.equal(text.statusCode, 415);
    assert.deepEqual(json(text), { message: 'Unsupported Media Type' });

    const huge = await post(JSON.stringify(registration({ company: 'x'.repeat(70_000) })), { 'content-type': 'application/json' });
    assert.equal(huge.statusCode, 413);
    assert.deepEqual(json(huge), { message: 'The POST data is too large.' });
  });

  it('ignores unknown fields and a "__proto__" key', async () => {
    const payload = `{"__proto__": {"role": "admin"}, "is_admin": true, "role": "admin", "name": "Proto", "email": "${uniqueEmail('proto')}", "password": "${PASSWORD}", "password_confirmation": "${PASSWORD}"}`;
    const response = await post(payload, { 'content-type': 'application/json' });
    assert.equal(response.statusCode, 201);
    assert.equal(json<Registered>(response).data.user.role, 'user');
  });

  it('answers unknown routes and wrong methods as Laravel', async () => {
    const missing = await t.app.inject({ method: 'GET', url: '/v1/nothing/here' });
    assert.equal(missing.statusCode, 404);
    assert.deepEqual(json(missing), { message: 'The route v1/nothing/here could not be found.' });
    const wrong = await t.app.inject({ method: 'GET', url: '/v1/auth/register' });
    assert.equal(wrong.statusCode, 405);
    assert.deepEqual(json(wrong), { message: 'The GET method is not supported for route v1/auth/register. Supported methods: POST.' });
  });

  it('documents its routes under the pixelmover tag in /openapi.json', async () => {
    const spec = json<{ paths: Record<string, Record<string, { tags?: string[] }>> }>(
      await t.app.inject({ method: 'GET', url: '/openapi.json' }),
    );
    for (const [path, method] of [
      ['/v1/auth/register', 'post'],
      ['/v1/auth/login', 'post'],
      ['/v1/auth/logout', 'post'],
      ['/v1/auth/me', 'get'],
      ['/v1/api-keys', 'get'],
      ['/v1/api-keys', 'post'],
      ['/v1/api-keys/{id}', 'delete'],
      ['/v1/api-keys/{id}/primary', 'post'],
    ] as const) {
      assert.deepEqual(spec.paths[path]?.[method]?.tags, ['pixelmover'], `${method} ${path}`);
    }
  });
});

describe('PixelMover validation and error rendering (units)', () => {
  it('email: Laravel RFC validation', () => {
    for (const good of ['a@b.co', 'john.doe+tag@example.com', 'user@localhost', 'üser@exämple.de', '"quoted local"@example.com'])
      assert.ok(isEmail(good), good);
    for (const bad of ['plain', '@example.com', 'a@', 'a..b@example.com', 'a@-example.com', 'a b@example.com', 'a@exa mple.com'])
      assert.ok(!isEmail(bad), bad);
  });

  it('timezone: IANA zone names, exact case; old aliases refused', () => {
    for (const good of ['UTC', 'Europe/Berlin', 'America/Argentina/Buenos_Aires', 'Asia/Kolkata', 'America/Port-au-Prince'])
      assert.ok(isTimezone(good), good);
    for (const bad of ['utc', 'europe/berlin', 'US/Eastern', 'GMT+1', 'Mars/Olympus_Mons', 'Europe/Nowhere', ''])
      assert.ok(!isTimezone(bad), bad);
  });

  it('renders throttling, overload and unexpected errors as Laravel', () => {
    const request = (url: string) => ({ routeOptions: { url } }) as never;
    const limited = new GatehouseError(ErrorCode.RateLimited, 'x', { retryAfter: 42 });
    assert.deepEqual(renderPixelmoverProblem({ kind: 'core', error: limited }, request('/v1/auth/login')), {
      status: 429,
      body: { message: 'Too many login attempts. Please try again in 42 seconds.' },
      headers: { 'retry-after': '42' },
    });
    assert.deepEqual(renderPixelmoverProblem({ kind: 'core', error: limited }, request('/v1/api-keys')), {
      status: 429,
      body: { message: 'Too Many Attempts.' },
      headers: { 'retry-after': '42' },
    });
    const busy = new GatehouseError(ErrorCode.Overloaded, 'x', { retryAfter: 1 });
    assert.deepEqual(renderPixelmoverProblem({ kind: 'core', error: busy }, request('/v1/auth/login')), {
      status: 503,
      body: { message: 'Service Unavailable' },
      headers: { 'retry-after': '1' },
    });
    assert.deepEqual(renderPixelmoverProblem({ kind: 'internal' }, request('/v1/auth/me')), {
      status: 500,
      body: { message: 'Server Error' },
    });
  });
});

describe('PixelMover switched off', () => {
  it('serves no /v1 routes with GATEHOUSE_CONTRACT_PIXELMOVER=false', async () => {
    const t = await createTestApp({ GATEHOUSE_CONTRACT_PIXELMOVER: 'false' });
    try {
      const response = await t.app.inject({ method: 'POST', url: '/v1/auth/register', payload: registration() });
      assert.equal(response.statusCode, 404);
      assert.equal(json<{ error: string }>(response).error, 'not_found');
    } finally {
      await t.close();
    }
  });
});
