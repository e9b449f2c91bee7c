import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { generate } from 'otplib';
import { createTestApp, json, type TestApp } from '../helpers/app.ts';
import { ovokLogin, ovokRegister } from '../helpers/ovok.ts';
import { LARAVEL_DATE, PASSWORD, cookieAttributes, cookieOf, register, type Laravel422, type ListedKey, type PmUser } from './helpers.ts';

interface LoginBody {
  success: boolean;
  data: {
    user: PmUser;
    session: { remember: boolean; expires_at: string };
    subscription: { plan: string; credits: number; expires_at: string | null };
  };
}

describe('PixelMover sessions, API keys and cross-contract use', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp({ TRUST_PROXY: 'true', SESSION_TTL_SECONDS: '600', SESSION_REMEMBER_TTL_SECONDS: '86400' });
  });
  after(async () => t.close());

  const login = (payload: Record<string, unknown>, headers: Record<string, string> = {}) =>
    t.app.inject({ method: 'POST', url: '/v1/auth/login', payload, headers });
  const me = (headers: Record<string, string>) => t.app.inject({ method: 'GET', url: '/v1/auth/me', headers });
  const keys = (headers: Record<string, string>) => t.app.inject({ method: 'GET', url: '/v1/api-keys', headers });
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

  it('logs in: 200 {user, session, subscription} and an HttpOnly, SameSite=Lax session cookie; remember picks the lifetime', async () => {
    const { email } = await register(t.app);
    const short = await login({ email, password: PASSWORD });
    assert.equal(short.statusCode, 200);
    const body = json<LoginBody>(short);
    assert.deepEqual(Object.keys(body.data), ['user', 'session', 'subscription']);
    assert.equal(body.data.user.email, email);
    assert.equal(body.data.subscription.plan, 'trial');
    assert.equal(body.data.session.remember, false);
    assert.match(String(body.data.user.last_login_at), LARAVEL_DATE);
    const attributes = cookieAttributes(short.headers['set-cookie']);
    assert.equal(attributes['max-age'], '600');
    assert.equal(attributes.path, '/');
    assert.equal(attributes.httponly, true);
    assert.equal(attributes.samesite, 'Lax');
    assert.equal(attributes.secure, undefined, 'no Secure flag over plain HTTP');
    assert.match(cookieOf(short.headers['set-cookie']), /^gatehouse_session=ghs_/);

    const long = await login({ email, password: PASSWORD, remember: true }, { 'x-forwarded-proto': 'https' });
    assert.equal(json<LoginBody>(long).data.session.remember, true);
    const longAttributes = cookieAttributes(long.headers['set-cookie']);
    assert.equal(longAttributes['max-age'], '86400');
    assert.equal(longAttributes.secure, true, 'Secure behind an HTTPS proxy');
    const lifetime = Date.parse(json<LoginBody>(long).data.session.expires_at) - Date.now();
    assert.ok(lifetime > 86_000_000 && lifetime <= 86_400_000);
  });

  it('refuses wrong credentials and unknown emails alike: 422 on email', async () => {
    const { email } = await register(t.app);
    for (const payload of [
      { email, password: 'wrong-password' },
      { email: 'nobody@example.com', password: 'wrong-password' },
    ]) {
      const response = await login(payload);
      assert.equal(response.statusCode, 422);
      assert.deepEqual(json(response), {
        message: 'These credentials do not match our records.',
        errors: { email: ['These credentials do not match our records.'] },
      });
    }
    const invalid = await login({ email: 'nope', remember: 'yes' });
    assert.deepEqual(json(invalid), {
      message: 'The email field must be a valid email address. (and 2 more errors)',
      errors: {
        email: ['The email field must be a valid email address.'],
        password: ['The password field is required.'],
        remember: ['The remember field must be true or false.'],
      },
    });
  });

  it('asks users with TOTP on for a second step, finished at /v1/auth/two-factor-challenge', async () => {
    const { email } = await register(t.app);
    const user = (await t.app.core.users.byEmail(t.projectId, email))!;
    const status = await t.app.core.lifecycle.mfa.status(user, await t.app.core.projects.get(t.projectId));
    assert.equal(status.enrolled, false);
    const secret = status.enrolled ? '' : status.secret;
    const recovery = await t.app.core.lifecycle.mfa.confirm(user, await generate({ secret, epoch: Math.floor(Date.now() / 1000) }));

    const first = await login({ email, password: PASSWORD });
    assert.equal(first.statusCode, 200);
    assert.equal(first.headers['set-cookie'], undefined, 'no session before the second factor');
    const step = json<{ data: { two_factor: boolean; challenge: string } }>(first).data;
    assert.equal(step.two_factor, true);
    const finish = (payload: Record<string, unknown>) => t.app.inject({ method: 'POST', url: '/v1/auth/two-factor-challenge', payload });
    const wrong = await finish({ challenge: step.challenge, code: '000000' });
    assert.equal(wrong.statusCode, 422);
    assert.deepEqual(json(wrong), {
      message: 'The provided two factor authentication code was invalid.',
      errors: { code: ['The provided two factor authentication code was invalid.'] },
    });
    const done = await finish({ challenge: step.challenge, recovery_code: recovery[0], remember: true });
    assert.equal(done.statusCode, 200);
    assert.equal(json<LoginBody>(done).data.session.remember, true);
    assert.equal((await me({ cookie: cookieOf(done.headers['set-cookie']) })).statusCode, 200);
  });

  it('me and logout with the cookie; the cookie is refused after logout', async () => {
    const { cookie, body } = await register(t.app);
    const who = await me({ cookie });
    assert.equal(who.statusCode, 200);
    assert.deepEqual(json<{ data: { user: PmUser } }>(who).data.user, body.data.user);
    const out = await t.app.inject({ method: 'POST', url: '/v1/auth/logout', headers: { cookie } });
    assert.equal(out.statusCode, 204);
    assert.match(String(out.headers['set-cookie']), /^gatehouse_session=;.*Expires=Thu, 01 Jan 1970/);
    const after = await me({ cookie });
    assert.equal(after.statusCode, 401);
    assert.deepEqual(json(after), { message: 'Unauthenticated.' });
    assert.deepEqual(json(await me({})), { message: 'Unauthenticated.' });
    assert.equal((await me({ cookie: 'gatehouse_session=ghs_forged' })).statusCode, 401);
  });

  it('lists keys masked (in masked_key and key), creates with the full key once, deletes', async () => {
    const { body, cookie } = await register(t.app);
    const first = body.data.api_key.key;
    const created = await t.app.inject({
      method: 'POST',
      url: '/v1/api-keys',
      headers: { cookie },
      payload: { name: 'CI', permissions: ['images:read', 'images:write'], expires_at: new Date(Date.now() + 86_400_000).toISOString() },
    });
    assert.equal(created.statusCode, 201);
    const second = json<{ success: boolean; data: ListedKey }>(created).data;
    assert.match(second.key, /^ghk_[A-Za-z0-9_-]{43}$/);
    assert.equal(second.is_primary, false);
    assert.deepEqual(second.permissions, ['images:read', 'images:write']);
    assert.match(String(second.expires_at), LARAVEL_DATE);

    const listed = json<{ success: boolean; data: ListedKey[] }>(await keys({ cookie }));
    assert.equal(listed.success, true);
    assert.equal(listed.data.length, 2);
    for (const item of listed.data) {
      assert.deepEqual(Object.keys(item), [
        'id',
        'name',
        'masked_key',
        'key',
        'is_primary',
        'is_active',
        'permissions',
        'last_used_at',
        'expires_at',
        'created_at',
      ]);
      assert.ok(Number.isInteger(item.id));
      assert.equal(item.key, item.masked_key);
      assert.match(item.masked_key, /^ghk_.{4}\*{24}.{4}$/);
      assert.ok(item.key !== first && item.key !== second.key, 'the full key is never listed');
      assert.match(item.created_at, LARAVEL_DATE);
    }
    assert.deepEqual(
      listed.data.map((item) => item.is_primary),
      [true, false],
    );
    assert.equal(listed.data[0]?.masked_key.slice(-4), first.slice(-4));
    assert.equal(listed.data[0]?.permissions, null);

    const deleted = await t.app.inject({ method: 'DELETE', url: `/v1/api-keys/${second.id}`, headers: { cookie } });
    assert.equal(deleted.statusCode, 200);
    assert.equal(json<{ success: boolean }>(deleted).success, true);
    assert.equal((await me({ 'x-api-key': second.key })).statusCode, 401, 'a deleted key is refused');
    assert.equal(json<{ data: ListedKey[] }>(await keys({ cookie })).data.length, 1);
    const again = await t.app.inject({ method: 'DELETE', url: `/v1/api-keys/${second.id}`, headers: { cookie } });
    assert.equal(again.statusCode, 404);
    assert.deepEqual(json(again), { message: `No query results for model [App\\Models\\ApiKey] ${second.id}` });
  });

  it('validates key creation as Laravel', async () => {
    const { cookie } = await register(t.app);
    const response = await t.app.inject({
      method: 'POST',
      url: '/v1/api-keys',
      headers: { cookie },
      payload: { permissions: ['ok', 5], expires_at: '2001-01-01T00:00:00Z' },
    });
    assert.equal(response.statusCode, 422);
    assert.deepEqual(json<Laravel422>(response), {
      message: 'The name field is required. (and 2 more errors)',
      errors: {
        name: ['The name field is required.'],
        'permissions.1': ['The permissions.1 field must be a string.'],
        expires_at: ['The expires at field must be a date after now.'],
      },
    });
    const second = await t.app.inject({
      method: 'POST',
      url: '/v1/api-keys',
      headers: { cookie },
      payload: { name: 'x', permissions: 'all', expires_at: 'not a date' },
    });
    assert.deepEqual(json<Laravel422>(second), {
      message: 'The permissions field must be an array. (and 2 more errors)',
      errors: {
        permissions: ['The permissions field must be an array.'],
        expires_at: ['The expires at field must be a valid date.', 'The expires at field must be a date after now.'],
      },
    });
  });

  it('authenticates by X-API-Key and Authorization: Bearer <key>, and records the last use', async () => {
    const { body } = await register(t.app);
    const key = body.data.api_key.key;
    for (const headers of [{ 'x-api-key': key }, bearer(key)]) {
      const response = await me(headers);
      assert.equal(response.statusCode, 200);
      assert.equal(json<{ data: { user: PmUser } }>(response).data.user.id, body.data.user.id);
    }
    const listed = json<{ data: ListedKey[] }>(await keys({ 'x-api-key': key })).data;
    assert.match(String(listed[0]?.last_used_at), LARAVEL_DATE);
    assert.equal((await me({ 'x-api-key': `${key}x` })).statusCode, 401);
    assert.equal((await me(bearer('ghk_unknown'))).statusCode, 401);

    // An unrestricted key manages keys; a key limited to some permissions may not mint an unlimited one.
    const create = (headers: Record<string, string>, payload: Record<string, unknown>) =>
      t.app.inject({ method: 'POST', url: '/v1/api-keys', headers, payload });
    const limited = await create({ 'x-api-key': key }, { name: 'limited', permissions: ['images:read'] });
    assert.equal(limited.statusCode, 201);
    const limitedKey = json<{ data: ListedKey }>(limited).data.key;
    assert.equal((await me({ 'x-api-key': limitedKey })).statusCode, 200);
    const refused = await create(bearer(limitedKey), { name: 'escalate' });
    assert.equal(refused.statusCode, 403);
    assert.deepEqual(json(refused), { message: 'This action is unauthorized.' });
    // Nor may it change the account's other credentials (the rule is the core's, for every route).
    const password = await t.app.inject({
      method: 'PUT',
      url: '/v1/user/password',
      headers: { 'x-api-key': limitedKey },
      payload: { current_password: 'whatever-1', password: 'new-password-1', password_confirmation: 'new-password-1' },
    });
    assert.equal(password.statusCode, 403, password.body);
    const twoFactor = await t.app.inject({
      method: 'DELETE',
      url: '/v1/user/two-factor-authentication',
      headers: { 'x-api-key': limitedKey },
      payload: { current_password: 'whatever-1' },
    });
    assert.equal(twoFactor.statusCode, 403, twoFactor.body);
  });

  it('refuses expired keys, and keys of disabled users or users awaiting deletion', async () => {
    const { db } = t.app.core.database;
    const expired = await register(t.app);
    await db
      .updateTable('api_keys')
      .set({ expires_at: new Date(Date.now() - 1000) })
      .where('user_id', '=', (await t.app.core.users.byEmail(t.projectId, expired.email))!.id)
      .execute();
    assert.deepEqual(json(await me({ 'x-api-key': expired.body.data.api_key.key })), { message: 'Unauthenticated.' });

    const disabled = await register(t.app);
    const disabledUser = (await t.app.core.users.byEmail(t.projectId, disabled.email))!;
    await t.app.core.users.update(disabledUser.id, { is_active: false });
    assert.equal((await me({ 'x-api-key': disabled.body.data.api_key.key })).statusCode, 401);

    const leaving = await register(t.app);
    const leavingUser = (await t.app.core.users.byEmail(t.projectId, leaving.email))!;
    await t.app.core.deletions.schedule(leavingUser, 7, false);
    assert.equal((await me(bearer(leaving.body.data.api_key.key))).statusCode, 401);
    assert.equal((await me({ cookie: leaving.cookie })).statusCode, 401, 'scheduling deletion ends cookie sessions');
  });

  it('makes another key primary; concurrent switches leave exactly one primary', async () => {
    const { cookie } = await register(t.app);
    const ids: number[] = [];
    for (let i = 0; i < 4; i += 1) {
      const created = await t.app.inject({ method: 'POST', url: '/v1/api-keys', headers: { cookie }, payload: { name: `key ${i}` } });
      ids.push(json<{ data: ListedKey }>(created).data.id);
    }
    const switched = await t.app.inject({ method: 'POST', url: `/v1/api-keys/${ids[1]}/primary`, headers: { cookie } });
    assert.equal(switched.statusCode, 200);
    assert.equal(json<{ data: ListedKey }>(switched).data.is_primary, true);

    const responses = await Promise.all(
      Array.from({ length: 12 }, (_value, index) =>
        t.app.inject({ method: 'POST', url: `/v1/api-keys/${ids[index % ids.length]}/primary`, headers: { cookie } }),
      ),
    );
    assert.deepEqual(
      responses.map((response) => response.statusCode),
      responses.map(() => 200),
    );
    const listed = json<{ data: ListedKey[] }>(await keys({ cookie })).data;
    assert.equal(listed.filter((item) => item.is_primary).length, 1);
    // The database itself refuses a second primary, whatever the code above it does.
    const owner = await t.app.core.database.db.selectFrom('api_keys').select('user_id').where('id', '=', ids[0]!).executeTakeFirstOrThrow();
    await assert.rejects(
      t.app.core.database.db.updateTable('api_keys').set({ is_primary: true }).where('user_id', '=', owner.user_id).execute(),
      (error: { code?: string }) => error.code === '23505',
    );

    // Deleting the primary key hands the role to the newest remaining key.
    const primary = listed.find((item) => item.is_primary)!;
    await t.app.inject({ method: 'DELETE', url: `/v1/api-keys/${primary.id}`, headers: { cookie } });
    const rest = json<{ data: ListedKey[] }>(await keys({ cookie })).data;
    assert.equal(rest.filter((item) => item.is_primary).length, 1);
    assert.equal(rest.find((item) => item.is_primary)?.id, Math.max(...rest.map((item) => item.id)));
  });

  it("does not let one user touch another user's keys", async () => {
    const alice = await register(t.app);
    const bob = await register(t.app);
    const bobKeys = json<{ data: ListedKey[] }>(await keys({ cookie: bob.cookie })).data;
    const bobKey = bobKeys[0]!.id;
    assert.equal(
      (await t.app.inject({ method: 'DELETE', url: `/v1/api-keys/${bobKey}`, headers: { cookie: alice.cookie } })).statusCode,
      404,
    );
    assert.equal(
      (await t.app.inject({ method: 'POST', url: `/v1/api-keys/${bobKey}/primary`, headers: { cookie: alice.cookie } })).statusCode,
      404,
    );
    assert.equal((await t.app.inject({ method: 'DELETE', url: '/v1/api-keys/abc', headers: { cookie: alice.cookie } })).statusCode, 404);
    assert.equal(json<{ data: ListedKey[] }>(await keys({ cookie: bob.cookie })).data.length, 1);
  });

  it('serves Ovok users: registered via /auth/register they log in via /v1/auth/login, and an Ovok access token works on /v1/auth/me', async () => {
    const { email, password, tokens } = await ovokRegister(t.app, t.clientId, { password: PASSWORD });
    const response = await login({ email, password });
    assert.equal(response.statusCode, 200);
    const user = json<LoginBody>(response).data.user;
    assert.equal(user.name, 'John Doe');
    assert.equal(user.plan, 'trial');
    assert.equal(user.credits, 100, 'the trial is granted at every registration');

    const viaToken = await me(bearer(tokens.accessToken));
    assert.equal(viaToken.statusCode, 200);
    assert.equal(json<{ data: { user: PmUser } }>(viaToken).data.user.email, email);
    // The other way round: a PixelMover account logs in through Ovok.
    const pm = await register(t.app);
    const ovok = await ovokLogin(t.app, t.clientId, pm.email, PASSWORD);
    assert.equal((await me(bearer(ovok.accessToken))).statusCode, 200);
    // Logging out with a bearer token ends that token's session.
    assert.equal((await t.app.inject({ method: 'POST', url: '/v1/auth/logout', headers: bearer(ovok.accessToken) })).statusCode, 204);
    assert.equal((await me(bearer(ovok.accessToken))).statusCode, 401);
  });

  it("refuses a credential of another project's user", async () => {
    const project = await t.app.core.projects.create({ name: 'Other' });
    const client = await t.app.core.projects.createClient(project.id, 'Other client');
    const { tokens } = await ovokRegister(t.app, client.id, { password: PASSWORD });
    assert.equal((await me(bearer(tokens.accessToken))).statusCode, 401);
  });
});
