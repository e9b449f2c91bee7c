import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { generate } from 'otplib';
import { createTestApp, json, type TestApp } from '../helpers/app.ts';
import { ovokLogin, ovokRegister, uniqueEmail, type OvokTokens } from '../helpers/ovok.ts';
import { newProject, outboxFor, startFakePwnedPasswords } from './helpers.ts';

type Outcome = { issue: Array<{ code: string; expression?: string[]; details: { text: string } }> };

// One app for the whole file (each test app costs a database start); the breached-password
// stand-in must exist before it.
let t: TestApp;
let pwned: Awaited<ReturnType<typeof startFakePwnedPasswords>>;
const breachedPassword = 'breached-but-long-enough';
before(async () => {
  pwned = await startFakePwnedPasswords([createHash('sha1').update(breachedPassword).digest('hex').toUpperCase()]);
  t = await createTestApp({ BREACHED_PASSWORDS_URL: pwned.url });
});
after(async () => {
  await t.close();
  await pwned.close();
});

describe('TOTP MFA (Ovok, Medplum routes)', () => {
  const call = (method: 'GET' | 'POST', url: string, token?: string, payload?: object) =>
    t.app.inject({
      method,
      url,
      ...(payload && { payload }),
      ...(token !== undefined && { headers: { authorization: `Bearer ${token}` } }),
    });
  const login = (email: string, password: string) => call('POST', '/v2/auth/login', undefined, { email, password, clientId: t.clientId });
  /** The code of the time step `steps` away from now. */
  const code = (secret: string, steps = 0) => generate({ secret, epoch: Math.floor(Date.now() / 1000) + steps * 30 });

  async function enroll(): Promise<{ email: string; password: string; tokens: OvokTokens; secret: string; recoveryCodes: string[] }> {
    const { email, password, tokens } = await ovokRegister(t.app, t.clientId);
    const status = json<{ enrolled: boolean; enrollUri: string; enrollQrCode: string }>(
      await call('GET', '/auth/mfa/status', tokens.accessToken),
    );
    assert.equal(status.enrolled, false);
    assert.match(status.enrollQrCode, /^data:image\/png;base64,/);
    const uri = new URL(status.enrollUri);
    assert.equal(uri.protocol, 'otpauth:');
    assert.equal(uri.searchParams.get('issuer'), 'Default Project');
    const secret = uri.searchParams.get('secret') ?? '';
    // Asking again shows the same pending secret.
    assert.equal(json<{ enrollUri: string }>(await call('GET', '/auth/mfa/status', tokens.accessToken)).enrollUri, status.enrollUri);
    assert.equal(
      (await call('POST', '/auth/mfa/enroll', tokens.accessToken, { token: '000000' === (await code(secret)) ? '111111' : '000000' }))
        .statusCode,
      401,
    );
    const enrolled = await call('POST', '/auth/mfa/enroll', tokens.accessToken, { token: await code(secret) });
    assert.equal(enrolled.statusCode, 200, enrolled.body);
    const { recoveryCodes } = json<{ recoveryCodes: string[] }>(enrolled);
    assert.equal(recoveryCodes.length, 10);
    assert.equal(new Set(recoveryCodes).size, 10);
    return { email, password, tokens, secret, recoveryCodes };
  }

  it('enrolled users get a challenge at login and finish with a code; a replayed code is refused', async () => {
    const { email, password, tokens, secret } = await enroll();
    const me = json<{ security: { mfaEnrolled: boolean } }>(await call('GET', '/auth/me', tokens.accessToken));
    assert.equal(me.security.mfaEnrolled, true);
    assert.deepEqual(json(await call('GET', '/auth/mfa/status', tokens.accessToken)), { enrolled: true });

    const first = await login(email, password);
    assert.equal(first.statusCode, 200);
    const step = json<{ login: string; mfaRequired: boolean; accessToken?: string }>(first);
    assert.equal(step.mfaRequired, true);
    assert.equal(step.accessToken, undefined, 'no tokens before the second factor');

    // The enrollment code's time step is spent; the next step's code (within the drift window) works once.
    const replayOfEnrollment = await call('POST', '/auth/mfa/verify', undefined, { login: step.login, token: await code(secret) });
    assert.equal(replayOfEnrollment.statusCode, 401);
    const next = await code(secret, 1);
    const verified = await call('POST', '/auth/mfa/verify', undefined, { login: step.login, token: next });
    assert.equal(verified.statusCode, 200, verified.body);
    const signedIn = json<OvokTokens>(verified);
    assert.equal((await call('GET', '/auth/me', signedIn.accessToken)).statusCode, 200);
    assert.equal(
      (await call('POST', '/auth/mfa/verify', undefined, { login: step.login, token: next })).statusCode,
      401,
      'a challenge is single-use',
    );

    const again = json<{ login: string }>(await login(email, password));
    const replay = await call('POST', '/auth/mfa/verify', undefined, { login: again.login, token: next });
    assert.equal(replay.statusCode, 401, 'the same code cannot be used twice');
    assert.equal(json<Outcome>(replay).issue[0]?.details.text, 'Invalid MFA code');
  });

  it('wrong codes are refused and a challenge allows 5 tries; recovery codes work once', async () => {
    const { email, password, recoveryCodes, tokens } = await enroll();
    const step = json<{ login: string }>(await login(email, password));
    for (let i = 0; i < 5; i += 1)
      assert.equal((await call('POST', '/auth/mfa/verify', undefined, { login: step.login, token: `12345${String(i)}` })).statusCode, 401);
    assert.equal(
      (await call('POST', '/auth/mfa/verify', undefined, { login: step.login, token: recoveryCodes[0] })).statusCode,
      401,
      'challenge spent after 5 tries',
    );

    const fresh = json<{ login: string }>(await login(email, password));
    const recovered = await call('POST', '/auth/mfa/verify', undefined, { login: fresh.login, token: recoveryCodes[0]!.toUpperCase() });
    assert.equal(recovered.statusCode, 200, recovered.body);
    const reuse = json<{ login: string }>(await login(email, password));
    assert.equal(
      (await call('POST', '/auth/mfa/verify', undefined, { login: reuse.login, token: recoveryCodes[0] })).statusCode,
      401,
      'recovery code is single-use',
    );
    assert.equal((await call('POST', '/auth/mfa/verify', undefined, { login: 'ghm_made-up', token: recoveryCodes[1] })).statusCode, 401);

    // Disabling needs proof: a wrong password is refused, the right one turns MFA off.
    assert.equal((await call('POST', '/auth/mfa/disable', tokens.accessToken, { password: 'not-the-password' })).statusCode, 400);
    assert.equal((await call('POST', '/auth/mfa/disable', tokens.accessToken, { password })).statusCode, 200);
    assert.equal(
      json<{ security: { mfaEnrolled: boolean } }>(await call('GET', '/auth/me', tokens.accessToken)).security.mfaEnrolled,
      false,
    );
    await ovokLogin(t.app, t.clientId, email, password);
  });

  it('stores the TOTP secret encrypted and recovery codes only as digests', async () => {
    const { secret, recoveryCodes } = await enroll();
    const db = t.app.core.database.db;
    const rows = await db.selectFrom('mfa_factors').select('secret_encrypted').execute();
    assert.ok(rows.every((row) => !row.secret_encrypted.includes(secret)));
    const hashes = await db.selectFrom('mfa_recovery_codes').select('code_hash').execute();
    assert.ok(hashes.every((row) => !Buffer.from(row.code_hash).toString('utf8').includes(recoveryCodes[0]!)));
  });
});

describe('change password and password policy (Ovok)', () => {
  const change = (token: string, payload: object) =>
    t.app.inject({ method: 'POST', url: '/auth/change-password', headers: { authorization: `Bearer ${token}` }, payload });

  it('needs the old password, signs out the other sessions and emails a notice', async () => {
    const { email, password, tokens } = await ovokRegister(t.app, t.clientId);
    const other = await ovokLogin(t.app, t.clientId, email, password);

    const wrong = await change(tokens.accessToken, {
      oldPassword: 'not-the-password',
      newPassword: 'a-new-password',
      confirmPassword: 'a-new-password',
    });
    assert.equal(wrong.statusCode, 400);
    assert.deepEqual(json<Outcome>(wrong).issue[0]?.expression, ['oldPassword']);
    const mismatch = await change(tokens.accessToken, {
      oldPassword: password,
      newPassword: 'a-new-password',
      confirmPassword: 'another-one',
    });
    assert.equal(mismatch.statusCode, 422);
    assert.deepEqual(json<Outcome>(mismatch).issue[0]?.expression, ['confirmPassword']);
    const weak = await change(tokens.accessToken, { oldPassword: password, newPassword: 'qwertyuiop', confirmPassword: 'qwertyuiop' });
    assert.equal(weak.statusCode, 422);
    assert.deepEqual(json<Outcome>(weak).issue[0]?.expression, ['newPassword']);

    const ok = await change(tokens.accessToken, {
      oldPassword: password,
      newPassword: 'a-new-password',
      confirmPassword: 'a-new-password',
    });
    assert.equal(ok.statusCode, 200);
    const me = (token: string) => t.app.inject({ method: 'GET', url: '/auth/me', headers: { authorization: `Bearer ${token}` } });
    assert.equal((await me(tokens.accessToken)).statusCode, 200, 'the session that changed it stays');
    assert.equal((await me(other.accessToken)).statusCode, 401, 'other sessions are signed out');
    await ovokLogin(t.app, t.clientId, email, 'a-new-password');
    const notice = await outboxFor(t.app, email, (item) => item.kind === 'password-changed');
    assert.match(notice.subject, /password was changed/);
  });

  it('default policy: 8+ characters, the 10,000 most common refused, the seed examples accepted', async () => {
    const register = (password: string, clientId = t.clientId) =>
      t.app.inject({
        method: 'POST',
        url: '/auth/register',
        payload: { email: uniqueEmail(), password, clientId, name: 'John', surname: 'Doe' },
      });
    const common = await register('12345678');
    assert.equal(common.statusCode, 422);
    assert.deepEqual(json<Outcome>(common).issue[0], {
      severity: 'error',
      code: 'invalid',
      expression: ['password'],
      details: { text: 'This password is too common; choose a less predictable one' },
    });
    assert.equal((await register('Password')).statusCode, 422, 'the check ignores case');
    assert.equal((await register('password1234')).statusCode, 200);
    assert.equal((await register('yourpassword')).statusCode, 200);

    const strict = await newProject(t.app, { passwordPolicy: { minLength: 12, commonPasswords: 'all' } });
    assert.equal((await register('password1234', strict.clientId)).statusCode, 422, 'the whole list refuses the seed example');
    const short = await register('abcdefghijk', strict.clientId);
    assert.equal(json<Outcome>(short).issue[0]?.details.text, 'Password must be at least 12 characters');
    assert.equal((await register('a perfectly fine passphrase', strict.clientId)).statusCode, 200);
  });

  it('optional breached-password lookup sends only a 5-character hash prefix and applies the fail-open/closed rule', async () => {
    const register = (password: string, clientId: string) =>
      t.app.inject({
        method: 'POST',
        url: '/auth/register',
        payload: { email: uniqueEmail(), password, clientId, name: 'John', surname: 'Doe' },
      });
    const closed = await newProject(t.app, { passwordPolicy: { breachCheck: 'fail-closed' } });
    const breached = await register(breachedPassword, closed.clientId);
    assert.equal(breached.statusCode, 422);
    assert.match(json<Outcome>(breached).issue[0]?.details.text ?? '', /data breach/);
    assert.equal((await register('never-seen-in-a-breach', closed.clientId)).statusCode, 200);
    assert.ok(pwned.requests.length >= 2 && pwned.requests.every((url) => /^\/range\/[0-9A-F]{5}$/.test(url)));

    await pwned.close();
    assert.equal(
      (await register('never-seen-in-a-breach-2', closed.clientId)).statusCode,
      422,
      'fail-closed refuses when the service is down',
    );
    const open = await newProject(t.app, { passwordPolicy: { breachCheck: 'fail-open' } });
    assert.equal((await register('never-seen-in-a-breach-3', open.clientId)).statusCode, 200, 'fail-open accepts when the service is down');
  });
});
