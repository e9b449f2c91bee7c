import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { generate } from 'otplib';
import { createTestApp, json, type TestApp } from '../helpers/app.ts';
import { ovokRegister, type OvokTokens } from '../helpers/ovok.ts';

/**
 * Regressions: a contract bound to one project used to check a credential's project only after
 * the core had already spent it (JinuAI rotated a refresh token of another project; JinuAI and
 * PixelMover spent another project's MFA challenge, and a recovery code with it). The core now
 * checks the project first, so the credential still works where it belongs.
 */
describe('credentials of another project are refused before they are spent', () => {
  let t: TestApp;
  before(async () => {
    // Both contracts serve a project of their own; Ovok users live in the default project. No
    // retry grace, so a spent refresh token could not be used again.
    t = await createTestApp({ JINUAI_PROJECT_ID: randomUUID(), PIXELMOVER_PROJECT_ID: randomUUID(), REFRESH_GRACE_SECONDS: '0' });
  });
  after(async () => t.close());

  const post = (url: string, payload: unknown, token?: string) =>
    t.app.inject({
      method: 'POST',
      url,
      payload: payload as Record<string, unknown>,
      ...(token !== undefined && { headers: { authorization: `Bearer ${token}` } }),
    });

  /** An Ovok user with MFA on: its password and its recovery codes. */
  async function enrolled(): Promise<{ email: string; password: string; recoveryCodes: string[] }> {
    const { email, password, tokens } = await ovokRegister(t.app, t.clientId);
    const status = json<{ enrollUri: string }>(
      await t.app.inject({ method: 'GET', url: '/auth/mfa/status', headers: { authorization: `Bearer ${tokens.accessToken}` } }),
    );
    const secret = new URL(status.enrollUri).searchParams.get('secret') ?? '';
    const confirmed = await post('/auth/mfa/enroll', { token: await generate({ secret }) }, tokens.accessToken);
    assert.equal(confirmed.statusCode, 200, confirmed.body);
    return { email, password, recoveryCodes: json<{ recoveryCodes: string[] }>(confirmed).recoveryCodes };
  }

  async function challenge(email: string, password: string): Promise<string> {
    const login = json<{ login: string; mfaRequired: boolean }>(await post('/v2/auth/login', { email, password, clientId: t.clientId }));
    assert.equal(login.mfaRequired, true);
    return login.login;
  }

  it('JinuAI does not rotate a refresh token of another project', async () => {
    const { tokens } = await ovokRegister(t.app, t.clientId);
    const refused = await post('/api/v1/auth/token', { refresh_token: tokens.refreshToken });
    assert.equal(refused.statusCode, 401, refused.body);
    const rotated = await post('/auth/refresh-token', { refresh_token: tokens.refreshToken });
    assert.equal(rotated.statusCode, 200, rotated.body);
    const next = json<{ access_token: string }>(rotated);
    assert.equal(
      (await t.app.inject({ method: 'GET', url: '/auth/me', headers: { authorization: `Bearer ${next.access_token}` } })).statusCode,
      200,
    );
  });

  it('JinuAI does not spend an MFA challenge (or a recovery code) of another project', async () => {
    const { email, password, recoveryCodes } = await enrolled();
    const login = await challenge(email, password);
    const code = recoveryCodes[0] ?? '';
    const refused = await post('/api/v1/auth/mfa/verify', { mfa_token: login, code });
    assert.equal(refused.statusCode, 401, refused.body);
    const finished = await post('/auth/mfa/verify', { login, token: code });
    assert.equal(finished.statusCode, 200, finished.body);
    assert.equal(typeof json<OvokTokens>(finished).accessToken, 'string');
  });

  it('PixelMover does not spend an MFA challenge (or a recovery code) of another project', async () => {
    const { email, password, recoveryCodes } = await enrolled();
    const login = await challenge(email, password);
    const code = recoveryCodes[1] ?? '';
    const refused = await post('/v1/auth/two-factor-challenge', { challenge: login, recovery_code: code });
    assert.equal(refused.statusCode, 422, refused.body);
    assert.deepEqual(json(refused), {
      message: 'The provided two factor authentication code was invalid.',
      errors: { code: ['The provided two factor authentication code was invalid.'] },
    });
    const finished = await post('/auth/mfa/verify', { login, token: code });
    assert.equal(finished.statusCode, 200, finished.body);
  });
});
