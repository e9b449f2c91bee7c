import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { generate } from 'otplib';
import { createTestApp, json, type TestApp } from '../helpers/app.ts';
import { API, bearer, login, signedIn } from '../jinuai/helpers.ts';
import { linkIn, outboxFor } from './helpers.ts';

describe('JinuAI: password recovery, reset, change and MFA (FastAPI template routes)', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp({ LINK_BASE_URL: 'https://jinu.example.test' });
  });
  after(async () => t.close());

  const post = (url: string, payload?: object, token?: string) =>
    t.app.inject({ method: 'POST', url: `${API}${url}`, ...(payload && { payload }), ...(token !== undefined && { headers: bearer(token) }) });

  it('recovery answers the same for unknown addresses; the emailed token resets the password once and signs out everywhere', async () => {
    const { fields, tokens } = await signedIn(t.app);
    const email = fields.email!;
    const known = await post(`/password-recovery/${encodeURIComponent(email)}`);
    const unknown = await post('/password-recovery/nobody.at.all%40example.com');
    assert.equal(known.statusCode, 200);
    assert.deepEqual(json(known), { message: 'Password recovery email sent' });
    assert.equal(unknown.statusCode, known.statusCode);
    assert.equal(unknown.body, known.body);

    const mail = await outboxFor(t.app, email, (item) => item.kind === 'password-reset');
    const link = linkIn(mail, '/reset-password');
    assert.equal(`${link.origin}${link.pathname}`, 'https://jinu.example.test/reset-password');
    const token = link.searchParams.get('token') ?? '';

    const wrong = await post('/reset-password/', { token: 'ghp_nope', new_password: 'brand-new-secret' });
    assert.equal(wrong.statusCode, 400);
    assert.deepEqual(json(wrong), { detail: 'Invalid token' });
    const weak = await post('/reset-password/', { token, new_password: 'iloveyou' });
    assert.equal(weak.statusCode, 422);
    assert.deepEqual(json<{ detail: Array<{ loc: string[] }> }>(weak).detail[0]?.loc, ['body', 'new_password']);
    const done = await post('/reset-password/', { token, new_password: 'brand-new-secret' });
    assert.deepEqual(json(done), { message: 'Password updated successfully' });
    assert.equal((await post('/reset-password/', { token, new_password: 'another-secret' })).statusCode, 400, 'the token works once');
    assert.equal((await t.app.inject({ method: 'GET', url: `${API}/user/whoami`, headers: bearer(tokens.access_token) })).statusCode, 401);
    await login(t.app, email, 'brand-new-secret');
  });

  it('PATCH /users/me/password needs the current password and keeps only the calling session', async () => {
    const { fields, tokens } = await signedIn(t.app);
    const other = await login(t.app, fields.email!);
    const patch = (payload: object) => t.app.inject({ method: 'PATCH', url: `${API}/users/me/password`, headers: bearer(tokens.access_token), payload });
    const wrong = await patch({ current_password: 'not-my-password', new_password: 'brand-new-secret' });
    assert.equal(wrong.statusCode, 400);
    assert.deepEqual(json(wrong), { detail: 'Incorrect password' });
    assert.deepEqual(json(await patch({ current_password: 'yourpassword', new_password: 'yourpassword' })), { detail: 'New password cannot be the same as the current one' });
    const ok = await patch({ current_password: 'yourpassword', new_password: 'brand-new-secret' });
    assert.deepEqual(json(ok), { message: 'Password updated successfully' });
    assert.equal((await t.app.inject({ method: 'GET', url: `${API}/user/whoami`, headers: bearer(tokens.access_token) })).statusCode, 200);
    assert.equal((await t.app.inject({ method: 'GET', url: `${API}/user/whoami`, headers: bearer(other.access_token) })).statusCode, 401);
  });

  it('with MFA, login answers an mfa_token and /auth/mfa/verify trades it and a code for the token pair', async () => {
    const { fields, tokens } = await signedIn(t.app);
    const status = json<{ enrolled: boolean; otpauth_uri: string; qr_code: string }>(
      await t.app.inject({ method: 'GET', url: `${API}/users/me/mfa`, headers: bearer(tokens.access_token) }),
    );
    assert.equal(status.enrolled, false);
    const secret = new URL(status.otpauth_uri).searchParams.get('secret') ?? '';
    const enabled = await post('/users/me/mfa/enable', { code: await generate({ secret }) }, tokens.access_token);
    assert.equal(enabled.statusCode, 200, enabled.body);
    assert.equal(json<{ recovery_codes: string[] }>(enabled).recovery_codes.length, 10);

    const step = await t.app.inject({ method: 'POST', url: `${API}/auth/login`, payload: { email: fields.email, password: 'yourpassword' } });
    assert.equal(step.statusCode, 200);
    const challenge = json<{ mfa_required: boolean; mfa_token: string; token_type: string }>(step);
    assert.equal(challenge.mfa_required, true);
    assert.equal(challenge.token_type, 'mfa');
    const bad = await post('/auth/mfa/verify', { mfa_token: challenge.mfa_token, code: '000000' === (await generate({ secret })) ? '111111' : '000000' });
    assert.equal(bad.statusCode, 401);
    assert.deepEqual(json(bad), { detail: 'Invalid MFA code' });
    const code = await generate({ secret, epoch: Math.floor(Date.now() / 1000) + 30 });
    const verified = await post('/auth/mfa/verify', { mfa_token: challenge.mfa_token, code });
    assert.equal(verified.statusCode, 200, verified.body);
    const pair = json<{ access_token: string; token_type: string }>(verified);
    assert.equal(pair.token_type, 'bearer');
    assert.equal((await t.app.inject({ method: 'GET', url: `${API}/user/whoami`, headers: bearer(pair.access_token) })).statusCode, 200);

    const off = await post('/users/me/mfa/disable', { current_password: 'yourpassword' }, tokens.access_token);
    assert.deepEqual(json(off), { message: 'MFA disabled' });
    await login(t.app, fields.email!);
  });
});
