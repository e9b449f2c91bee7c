import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import * as jose from 'jose';
import { ADMIN_TOKEN, createTestApp, json, type TestApp } from '../helpers/app.ts';
import { ovokLogin, ovokRegister } from '../helpers/ovok.ts';

function me(t: TestApp, token: string) {
  return t.app.inject({ method: 'GET', url: '/auth/me', headers: { authorization: `Bearer ${token}` } });
}

function b64(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

describe('access tokens', () => {
  let t: TestApp;
  let other: TestApp;
  let base: string;
  let token: string;
  let email: string;
  let password: string;

  before(async () => {
    t = await createTestApp();
    other = await createTestApp();
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const address = t.app.server.address() as AddressInfo;
    base = `http://127.0.0.1:${address.port}`;
    const registered = await ovokRegister(t.app, t.clientId);
    token = registered.tokens.accessToken;
    email = registered.email;
    password = registered.password;
  });
  after(async () => {
    await t.close();
    await other.close();
  });

  it('verifies against the published JWKS with the documented claims', async () => {
    const jwks = jose.createRemoteJWKSet(new URL(`${base}/.well-known/jwks.json`));
    const { payload, protectedHeader } = await jose.jwtVerify(token, jwks, { issuer: t.config.issuer, audience: t.clientId });
    for (const claim of ['sub', 'sid', 'project_id', 'profile']) assert.ok(payload[claim] !== undefined, `claim ${claim}`);
    assert.equal(payload.project_id, t.projectId);
    assert.equal((payload.exp ?? 0) - (payload.iat ?? 0), 3600);
    assert.equal(protectedHeader.alg, 'ES256');
    assert.equal(typeof protectedHeader.kid, 'string');
    const discovery = await fetch(`${base}/.well-known/openid-configuration`);
    assert.equal(discovery.status, 200);
    const config = (await discovery.json()) as { jwks_uri: string };
    assert.ok(config.jwks_uri.endsWith('/.well-known/jwks.json'), config.jwks_uri);
    assert.equal((await me(t, token)).statusCode, 200);
  });

  it('refuses a token whose payload was tampered with', async () => {
    const [header, payload, signature] = token.split('.') as [string, string, string];
    const index = Math.floor(payload.length / 2);
    const swapped = payload[index] === 'A' ? 'B' : 'A';
    const tampered = `${header}.${payload.slice(0, index)}${swapped}${payload.slice(index + 1)}.${signature}`;
    assert.equal((await me(t, tampered)).statusCode, 401);
  });

  it('refuses alg none', async () => {
    const [, payload] = token.split('.') as [string, string];
    assert.equal((await me(t, `${b64({ alg: 'none' })}.${payload}.`)).statusCode, 401);
    assert.equal((await me(t, `${b64({ alg: 'none', typ: 'JWT' })}.${payload}`)).statusCode, 401);
  });

  it('refuses HS256 signed with the public key as HMAC secret (algorithm confusion)', async () => {
    const claims = jose.decodeJwt(token);
    const { kid } = jose.decodeProtectedHeader(token);
    const jwks = json<{ keys: jose.JWK[] }>(await t.app.inject({ method: 'GET', url: '/.well-known/jwks.json' }));
    const publicJwk = jwks.keys.find((key) => key.kid === kid);
    assert.ok(publicJwk);
    const forged = await new jose.SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256', kid })
      .sign(new TextEncoder().encode(JSON.stringify(publicJwk)));
    assert.equal((await me(t, forged)).statusCode, 401);
  });

  async function signWithRealKey(claims: jose.JWTPayload): Promise<string> {
    const { kid, key } = await t.app.core.keys.signingKey();
    return new jose.SignJWT(claims).setProtectedHeader({ alg: 'ES256', kid, typ: 'JWT' }).sign(key);
  }

  it('refuses an expired token signed with the real key', async () => {
    const claims = jose.decodeJwt(token);
    const now = Math.floor(Date.now() / 1000);
    const expired = await signWithRealKey({ ...claims, iat: now - 7200, exp: now - 3600 });
    assert.equal((await me(t, expired)).statusCode, 401);
    // Control: the same claims, not expired, are accepted, so the expiry is what refused it.
    const fresh = await signWithRealKey({ ...claims, iat: now, exp: now + 600 });
    assert.equal((await me(t, fresh)).statusCode, 200);
  });

  it('refuses a validly signed token whose sid names no session', async () => {
    const claims = jose.decodeJwt(token);
    const forged = await signWithRealKey({ ...claims, sid: crypto.randomUUID() });
    assert.equal((await me(t, forged)).statusCode, 401);
  });

  // Regression: the session check compared only sub with the session's user, so a token signed with
  // the real key but with an altered aud or project_id passed.
  it('refuses a validly signed token for another audience or with an altered project claim', async () => {
    const claims = jose.decodeJwt(token);
    const now = Math.floor(Date.now() / 1000);
    const wrongAudience = await signWithRealKey({ ...claims, aud: crypto.randomUUID(), iat: now, exp: now + 600 });
    const otherProject = await signWithRealKey({ ...claims, project_id: other.projectId, iat: now, exp: now + 600 });
    assert.deepEqual([(await me(t, wrongAudience)).statusCode, (await me(t, otherProject)).statusCode], [401, 401]);
  });

  it("refuses a token signed by another instance's key", async () => {
    const foreign = await ovokRegister(other.app, other.clientId);
    assert.equal((await me(other, foreign.tokens.accessToken)).statusCode, 200);
    assert.equal((await me(t, foreign.tokens.accessToken)).statusCode, 401);
  });

  it('rotates the signing key without breaking issued tokens', async () => {
    const oldKid = jose.decodeProtectedHeader(token).kid;
    const rotated = await t.app.inject({ method: 'POST', url: '/admin/keys/rotate', headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    assert.equal(rotated.statusCode, 200);
    const { kid, retired } = json<{ kid: string; retired: string[] }>(rotated);
    assert.notEqual(kid, oldKid);
    assert.ok(retired.includes(oldKid as string));
    assert.equal((await me(t, token)).statusCode, 200);
    const again = await ovokLogin(t.app, t.clientId, email, password);
    assert.equal(jose.decodeProtectedHeader(again.accessToken).kid, kid);
    assert.equal((await me(t, again.accessToken)).statusCode, 200);
    const jwks = json<{ keys: jose.JWK[] }>(await t.app.inject({ method: 'GET', url: '/.well-known/jwks.json' }));
    const kids = jwks.keys.map((key) => key.kid);
    assert.ok(kids.includes(kid) && kids.includes(oldKid), kids.join(','));
    // The remote JWKS verifies both tokens too.
    const remote = jose.createRemoteJWKSet(new URL(`${base}/.well-known/jwks.json`));
    await jose.jwtVerify(token, remote, { issuer: t.config.issuer, audience: t.clientId });
    await jose.jwtVerify(again.accessToken, remote, { issuer: t.config.issuer, audience: t.clientId });
  });
});
