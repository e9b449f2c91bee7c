import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as jose from 'jose';
import { createTestApp, json, type TestApp } from '../helpers/app.ts';
import { ovokRegister } from '../helpers/ovok.ts';
import { API, newUser, urlencoded } from '../jinuai/helpers.ts';
import { register as pmRegister } from '../pixelmover/helpers.ts';

// Forged and stale credentials against PixelMover and JinuAI (Ovok's own are covered in test/foundation).

function b64(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/** Asserts a refusal in each contract's own 401 style. */
async function refusedBy(t: TestApp, headers: Record<string, string>, what: string): Promise<void> {
  const jinu = await t.app.inject({ method: 'GET', url: `${API}/user/whoami`, headers });
  assert.equal(jinu.statusCode, 401, `JinuAI accepted ${what}: ${jinu.body}`);
  assert.equal(typeof json(jinu).detail, 'string', jinu.body);
  assert.match(String(jinu.headers['www-authenticate']), /^Bearer/);
  const pm = await t.app.inject({ method: 'GET', url: '/v1/auth/me', headers });
  assert.equal(pm.statusCode, 401, `PixelMover accepted ${what}: ${pm.body}`);
  assert.deepEqual(json(pm), { message: 'Unauthenticated.' });
}

async function jinuLogin(t: TestApp): Promise<{ access: string; refresh: string; email: string }> {
  const user = newUser();
  const reg = await t.app.inject({ method: 'POST', url: `${API}/auth/register`, ...urlencoded(user) });
  assert.equal(reg.statusCode, 201, reg.body);
  const login = await t.app.inject({ method: 'POST', url: `${API}/auth/login`, payload: { email: user.email, password: user.password } });
  assert.equal(login.statusCode, 200, login.body);
  const body = json<{ access_token: string; refresh_token: string }>(login);
  return { access: body.access_token, refresh: body.refresh_token, email: String(user.email) };
}

describe('token attacks on PixelMover and JinuAI', () => {
  let t: TestApp;
  let other: TestApp;
  let token: string;
  let claims: Record<string, unknown>;

  before(async () => {
    [t, other] = await Promise.all([createTestApp(), createTestApp()]);
    token = (await jinuLogin(t)).access;
    claims = jose.decodeJwt(token);
    // The genuine token works on both: each refusal below is the forgery's doing.
    assert.equal(
      (await t.app.inject({ method: 'GET', url: `${API}/user/whoami`, headers: { authorization: `Bearer ${token}` } })).statusCode,
      200,
    );
    assert.equal(
      (await t.app.inject({ method: 'GET', url: '/v1/auth/me', headers: { authorization: `Bearer ${token}` } })).statusCode,
      200,
    );
  });
  after(async () => {
    await Promise.all([t.close(), other.close()]);
  });

  it('refuses alg none, HS256 signed with the public key, and an unknown kid', async () => {
    const header = jose.decodeProtectedHeader(token);
    await refusedBy(t, { authorization: `Bearer ${b64({ alg: 'none', typ: 'JWT', kid: header.kid })}.${b64(claims)}.` }, 'alg none');
    const jwks = json<{ keys: jose.JWK[] }>(await t.app.inject({ method: 'GET', url: '/.well-known/jwks.json' }));
    const publicJwk = jwks.keys[0];
    assert.ok(publicJwk);
    const publicPem = await jose.exportSPKI((await jose.importJWK(publicJwk, 'ES256')) as CryptoKey);
    for (const secret of [publicPem, JSON.stringify(publicJwk)]) {
      const hs = await new jose.SignJWT(claims)
        .setProtectedHeader({ alg: 'HS256', kid: header.kid })
        .sign(new TextEncoder().encode(secret));
      await refusedBy(t, { authorization: `Bearer ${hs}` }, 'HS256 with the public key');
    }
    const { privateKey } = await jose.generateKeyPair('ES256');
    const unknownKid = await new jose.SignJWT(claims).setProtectedHeader({ alg: 'ES256', kid: 'not-a-key-of-ours' }).sign(privateKey);
    await refusedBy(t, { authorization: `Bearer ${unknownKid}` }, 'unknown kid');
    const ownKid = await new jose.SignJWT(claims).setProtectedHeader({ alg: 'ES256', kid: header.kid }).sign(privateKey);
    await refusedBy(t, { authorization: `Bearer ${ownKid}` }, 'our kid, a stranger key');
  });

  it('refuses a token from another deployment and tampered claims', async () => {
    const foreign = await jinuLogin(other);
    await refusedBy(t, { authorization: `Bearer ${foreign.access}` }, 'a token of another deployment');
    const [h, , s] = token.split('.') as [string, string, string];
    for (const change of [
      { sub: '00000000-0000-0000-0000-000000000000' },
      { exp: 4_102_444_800 },
      { project_id: other.projectId },
      { aud: other.clientId },
    ]) {
      await refusedBy(t, { authorization: `Bearer ${h}.${b64({ ...claims, ...change })}.${s}` }, `tampered ${Object.keys(change)[0]}`);
    }
  });

  it('refuses expired and not-yet-valid tokens signed with the real key', async () => {
    const { kid, key } = await t.app.core.keys.signingKey();
    const now = Math.floor(Date.now() / 1000);
    const sign = (extra: jose.JWTPayload) =>
      new jose.SignJWT({ ...claims, ...extra })
        .setProtectedHeader({ alg: 'ES256', kid, typ: 'at+jwt' })
        .setIssuer(t.config.issuer)
        .sign(key);
    await refusedBy(t, { authorization: `Bearer ${await sign({ iat: now - 7200, exp: now - 3600 })}` }, 'an expired token');
    await refusedBy(t, { authorization: `Bearer ${await sign({ iat: now, nbf: now + 3600, exp: now + 7200 })}` }, 'a not-yet-valid token');
    // Control: the same forging path with sane times is accepted, so the refusals are about time.
    const fine = await sign({ iat: now, exp: now + 600 });
    assert.equal(
      (await t.app.inject({ method: 'GET', url: `${API}/user/whoami`, headers: { authorization: `Bearer ${fine}` } })).statusCode,
      200,
    );
  });

  it("refuses a valid token of another project's client", async () => {
    const project = await t.app.core.projects.create({ name: 'Second tenant' });
    const client = await t.app.core.projects.createClient(project.id, 'second app');
    const { tokens } = await ovokRegister(t.app, client.id);
    assert.equal(jose.decodeJwt(tokens.accessToken).project_id, project.id);
    await refusedBy(t, { authorization: `Bearer ${tokens.accessToken}` }, "another project's token");
  });

  it('refuses a refresh token used as an access token', async () => {
    const { refresh } = await jinuLogin(t);
    await refusedBy(t, { authorization: `Bearer ${refresh}` }, 'a refresh token');
  });

  it('refuses the cookie, API key and bearer of a disabled user, and the API key of a deleted user', async () => {
    const pm = await pmRegister(t.app);
    const user = await t.app.core.users.byEmail(t.projectId, pm.email);
    assert.ok(user);
    const key = pm.body.data.api_key.key;
    const login = await t.app.inject({ method: 'POST', url: '/v1/auth/login', payload: { email: pm.email, password: 'correct-horse-42' } });
    assert.equal(login.statusCode, 200, login.body);
    const jinu = await t.app.inject({
      method: 'POST',
      url: `${API}/auth/login`,
      payload: { email: pm.email, password: 'correct-horse-42' },
    });
    assert.equal(jinu.statusCode, 200, jinu.body);
    const bearer = json<{ access_token: string }>(jinu).access_token;
    for (const headers of [
      { cookie: pm.cookie },
      { authorization: `Bearer ${key}` },
      { 'x-api-key': key },
      { authorization: `Bearer ${bearer}` },
    ]) {
      assert.equal((await t.app.inject({ method: 'GET', url: '/v1/auth/me', headers })).statusCode, 200, JSON.stringify(headers));
    }
    await t.app.core.users.update(user.id, { is_active: false });
    await refusedBy(t, { authorization: `Bearer ${bearer}` }, 'the bearer of a disabled user');
    await refusedBy(t, { authorization: `Bearer ${key}` }, 'the API key of a disabled user');
    await refusedBy(t, { 'x-api-key': key }, 'the X-API-Key of a disabled user');
    await refusedBy(t, { cookie: pm.cookie }, 'the cookie of a disabled user');
    await t.app.core.users.update(user.id, { is_active: true });
    await t.app.core.users.remove(user.id);
    await refusedBy(t, { authorization: `Bearer ${key}` }, 'the API key of a deleted user');
    await refusedBy(t, { 'x-api-key': key }, 'the X-API-Key of a deleted user');
    await refusedBy(t, { cookie: pm.cookie }, 'the cookie of a deleted user');
  });

  it('refuses a revoked session (PixelMover logout, core revocation for JinuAI)', async () => {
    const pm = await pmRegister(t.app);
    const out = await t.app.inject({ method: 'POST', url: '/v1/auth/logout', headers: { cookie: pm.cookie } });
    assert.equal(out.statusCode, 204, out.body);
    await refusedBy(t, { cookie: pm.cookie }, 'a logged-out cookie');
    const jinu = await jinuLogin(t);
    const sid = String(jose.decodeJwt(jinu.access).sid);
    await t.app.core.sessions.revoke([sid], 'test');
    await refusedBy(t, { authorization: `Bearer ${jinu.access}` }, 'the bearer of a revoked session');
    const refreshed = await t.app.inject({ method: 'POST', url: `${API}/auth/token`, payload: { refresh_token: jinu.refresh } });
    assert.equal(refreshed.statusCode, 401, refreshed.body);
    assert.deepEqual(json(refreshed), { detail: 'Invalid refresh token' });
  });
});
