import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { generate } from 'otplib';
import { createTestApp, json, type TestApp } from '../helpers/app.ts';
import { API, bearer, login, signedIn } from '../jinuai/helpers.ts';
import { PASSWORD, cookieOf, register as pmRegister, type Laravel422 } from '../pixelmover/helpers.ts';
import { linkIn, outboxFor } from './helpers.ts';

// One app for both contracts (each test app costs a database start).
let t: TestApp;
before(async () => {
  t = await createTestApp({ LINK_BASE_URL: 'https://jinu.example.test' });
});
after(async () => t.close());

describe('JinuAI: password recovery, reset, change and MFA (FastAPI template routes)', () => {
  const post = (url: string, payload?: object, token?: string) =>
    t.app.inject({
      method: 'POST',
      url: `${API}${url}`,
      ...(payload && { payload }),
      ...(token !== undefined && { headers: bearer(token) }),
    });

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
    const patch = (payload: object) =>
      t.app.inject({ method: 'PATCH', url: `${API}/users/me/password`, headers: bearer(tokens.access_token), payload });
    const wrong = await patch({ current_password: 'not-my-password', new_password: 'brand-new-secret' });
    assert.equal(wrong.statusCode, 400);
    assert.deepEqual(json(wrong), { detail: 'Incorrect password' });
    assert.deepEqual(json(await patch({ current_password: 'yourpassword', new_password: 'yourpassword' })), {
      detail: 'New password cannot be the same as the current one',
    });
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

    const step = await t.app.inject({
      method: 'POST',
      url: `${API}/auth/login`,
      payload: { email: fields.email, password: 'yourpassword' },
    });
    assert.equal(step.statusCode, 200);
    const challenge = json<{ mfa_required: boolean; mfa_token: string; token_type: string }>(step);
    assert.equal(challenge.mfa_required, true);
    assert.equal(challenge.token_type, 'mfa');
    const bad = await post('/auth/mfa/verify', {
      mfa_token: challenge.mfa_token,
      code: '000000' === (await generate({ secret })) ? '111111' : '000000',
    });
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

describe('PixelMover: Laravel/Fortify password reset, update, email verification and two-factor', () => {
  const pm = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: object, cookie?: string) =>
    t.app.inject({ method, url: `/v1${url}`, ...(payload && { payload }), ...(cookie !== undefined && { headers: { cookie } }) });

  it('forgot-password answers the same for unknown addresses; the emailed token and email reset the password once', async () => {
    const { email, cookie } = await pmRegister(t.app);
    const known = await pm('POST', '/auth/forgot-password', { email });
    const unknown = await pm('POST', '/auth/forgot-password', { email: 'nobody.pm@example.com' });
    assert.equal(known.statusCode, 200);
    assert.deepEqual(json(known), { success: true, message: 'We have emailed your password reset link.' });
    assert.equal(unknown.statusCode, known.statusCode);
    assert.equal(unknown.body, known.body);
    assert.equal((await pm('POST', '/auth/forgot-password', { email: 'not-an-email' })).statusCode, 422);

    const mail = await outboxFor(t.app, email, (item) => item.kind === 'password-reset');
    const link = linkIn(mail, '/reset-password/');
    assert.equal(link.searchParams.get('email'), email);
    const token = decodeURIComponent(link.pathname.split('/').pop() ?? '');

    const reset = (payload: object) => pm('POST', '/auth/reset-password', payload);
    const wrongEmail = await reset({
      token,
      email: 'someone.else@example.com',
      password: 'brand-new-secret',
      password_confirmation: 'brand-new-secret',
    });
    assert.equal(wrongEmail.statusCode, 422);
    assert.deepEqual(json<Laravel422>(wrongEmail).errors, { email: ['This password reset token is invalid.'] });
    const unconfirmed = await reset({ token, email, password: 'brand-new-secret', password_confirmation: 'other' });
    assert.deepEqual(json<Laravel422>(unconfirmed).errors, { password: ['The password field confirmation does not match.'] });
    const done = await reset({ token, email, password: 'brand-new-secret', password_confirmation: 'brand-new-secret' });
    assert.deepEqual(json(done), { success: true, message: 'Your password has been reset.' });
    assert.equal(
      (await reset({ token, email, password: 'other-new-secret', password_confirmation: 'other-new-secret' })).statusCode,
      422,
      'the token works once',
    );
    assert.equal((await pm('GET', '/auth/me', undefined, cookie)).statusCode, 401, 'sessions end with a reset');
    assert.equal((await pm('POST', '/auth/login', { email, password: 'brand-new-secret' })).statusCode, 200);
  });

  it('PUT /user/password needs the current password (Fortify messages) and keeps only the calling session', async () => {
    const { email, cookie } = await pmRegister(t.app);
    const other = cookieOf((await pm('POST', '/auth/login', { email, password: PASSWORD })).headers['set-cookie']);
    const wrong = await pm(
      'PUT',
      '/user/password',
      { current_password: 'not-my-password', password: 'brand-new-secret', password_confirmation: 'brand-new-secret' },
      cookie,
    );
    assert.equal(wrong.statusCode, 422);
    assert.deepEqual(json<Laravel422>(wrong).errors, { current_password: ['The provided password does not match your current password.'] });
    const weak = await pm(
      'PUT',
      '/user/password',
      { current_password: PASSWORD, password: 'password', password_confirmation: 'password' },
      cookie,
    );
    assert.equal(weak.statusCode, 422);
    assert.deepEqual(Object.keys(json<Laravel422>(weak).errors), ['password']);
    const ok = await pm(
      'PUT',
      '/user/password',
      { current_password: PASSWORD, password: 'brand-new-secret', password_confirmation: 'brand-new-secret' },
      cookie,
    );
    assert.deepEqual(json(ok), { success: true, message: 'Your password has been updated.' });
    assert.equal((await pm('GET', '/auth/me', undefined, cookie)).statusCode, 200);
    assert.equal((await pm('GET', '/auth/me', undefined, other)).statusCode, 401);
  });

  it('registration emails a verification link; GET /email/verify/{id}/{hash} verifies once; resending is throttled', async () => {
    const { email, cookie } = await pmRegister(t.app);
    const [, , id, secret] = linkIn(await outboxFor(t.app, email, (item) => item.kind === 'verify-email'), '/verify-email/').pathname.split(
      '/',
    );
    assert.equal((await pm('POST', '/email/verification-notification', undefined, cookie)).statusCode, 429, 'one email a minute');
    assert.equal((await pm('GET', `/email/verify/${id}/${secret}x`)).statusCode, 403);
    const verified = await pm('GET', `/email/verify/${id}/${secret}`);
    assert.deepEqual(json(verified), { success: true, message: 'Your email address has been verified.' });
    assert.equal((await pm('GET', `/email/verify/${id}/${secret}`)).statusCode, 403, 'the link works once');
    assert.equal((await pm('POST', '/email/verification-notification', undefined, cookie)).statusCode, 202);
  });

  it('two-factor: Fortify enrollment, login answers a challenge, finished with a code or a recovery code', async () => {
    const { email, cookie } = await pmRegister(t.app);
    assert.equal((await pm('POST', '/user/two-factor-authentication', undefined, cookie)).statusCode, 200);
    const qr = json<{ svg: string; url: string }>(await pm('GET', '/user/two-factor-qr-code', undefined, cookie));
    assert.match(qr.svg, /^<svg/);
    const { secretKey } = json<{ secretKey: string }>(await pm('GET', '/user/two-factor-secret-key', undefined, cookie));
    assert.equal(new URL(qr.url).searchParams.get('secret'), secretKey);
    const confirmed = await pm(
      'POST',
      '/user/confirmed-two-factor-authentication',
      { code: await generate({ secret: secretKey }) },
      cookie,
    );
    assert.equal(confirmed.statusCode, 200, confirmed.body);
    const recoveryCodes = json<string[]>(confirmed);
    assert.equal(recoveryCodes.length, 10);

    const step = json<{ data: { two_factor: boolean; challenge: string } }>(await pm('POST', '/auth/login', { email, password: PASSWORD }));
    assert.equal(step.data.two_factor, true);
    const bad = await pm('POST', '/auth/two-factor-challenge', { challenge: step.data.challenge, code: '12345x' });
    assert.deepEqual(json<Laravel422>(bad).errors, { code: ['The provided two factor authentication code was invalid.'] });
    const done = await pm('POST', '/auth/two-factor-challenge', { challenge: step.data.challenge, recovery_code: recoveryCodes[0] });
    assert.equal(done.statusCode, 200, done.body);
    const session = cookieOf(done.headers['set-cookie']);
    assert.equal((await pm('GET', '/auth/me', undefined, session)).statusCode, 200);

    const off = await pm('DELETE', '/user/two-factor-authentication', { current_password: PASSWORD }, cookie);
    assert.deepEqual(json(off), { success: true, message: 'two-factor-authentication-disabled' });
    assert.equal((await pm('POST', '/auth/login', { email, password: PASSWORD })).statusCode, 200);
  });
});
