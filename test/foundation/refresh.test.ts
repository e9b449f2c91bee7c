import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createTestApp, json, type TestApp } from '../helpers/app.ts';
import { ovokLogin, ovokRegister, uniqueEmail } from '../helpers/ovok.ts';

interface Outcome {
  resourceType: string;
  issue: Array<{ severity: string; code: string; expression?: string[] }>;
}
interface RefreshPair {
  access_token: string;
  refresh_token: string;
  expires_in: number;
}

function get(t: TestApp, url: string, token: string) {
  return t.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}` } });
}
function refresh(t: TestApp, refreshToken: unknown) {
  return t.app.inject({
    method: 'POST',
    url: '/auth/refresh-token',
    payload: refreshToken === undefined ? {} : { refresh_token: refreshToken },
  });
}

describe('refresh tokens, logout and session revocation', () => {
  let t: TestApp;
  let strict: TestApp;
  before(async () => {
    // The race below sends 50 hashes at once: a queue that holds them all and a wait target they
    // all fit in, so what is measured is the unique-email race, not the load shedding (a 503 by
    // design past HASH_QUEUE_LIMIT or HASH_MAX_WAIT_MS).
    t = await createTestApp({ HASH_QUEUE_LIMIT: '100', HASH_MAX_WAIT_MS: '60000' });
    strict = await createTestApp({ REFRESH_GRACE_SECONDS: '0' });
  });
  after(async () => {
    await t.close();
    await strict.close();
  });

  it('rotates: a new pair, a different refresh token, and a retry within the grace window', async () => {
    const { tokens } = await ovokRegister(t.app, t.clientId);
    const first = await refresh(t, tokens.refreshToken);
    assert.equal(first.statusCode, 200);
    const pair = json<RefreshPair>(first);
    assert.deepEqual(Object.keys(pair).sort(), ['access_token', 'expires_in', 'refresh_token']);
    assert.equal(pair.expires_in, 3600);
    assert.notEqual(pair.refresh_token, tokens.refreshToken);
    assert.equal((await get(t, '/auth/me', pair.access_token)).statusCode, 200);
    // The default grace window (10 s) lets a network retry reuse the old token.
    const retry = await refresh(t, tokens.refreshToken);
    assert.equal(retry.statusCode, 200, retry.body);
    assert.equal((await get(t, '/auth/me', pair.access_token)).statusCode, 200);
    assert.equal((await get(t, '/auth/me', json<RefreshPair>(retry).access_token)).statusCode, 200);
  });

  it('without a grace window, replaying a used token revokes the whole session', async () => {
    const { tokens } = await ovokRegister(strict.app, strict.clientId);
    const rotated = await refresh(strict, tokens.refreshToken);
    assert.equal(rotated.statusCode, 200);
    const pair = json<RefreshPair>(rotated);
    const replay = await refresh(strict, tokens.refreshToken);
    assert.equal(replay.statusCode, 401);
    assert.equal(json<Outcome>(replay).resourceType, 'OperationOutcome');
    assert.equal((await refresh(strict, pair.refresh_token)).statusCode, 401);
    assert.equal((await get(strict, '/auth/me', pair.access_token)).statusCode, 401);
    assert.equal((await get(strict, '/auth/me', tokens.accessToken)).statusCode, 401);
  });

  it('refuses unknown and garbage refresh tokens with 401, a missing field with 422', async () => {
    for (const value of [`ghr_${'a'.repeat(43)}`, 'garbage', 'x']) {
      const response = await refresh(t, value);
      assert.equal(response.statusCode, 401, `${value}: ${response.body}`);
      assert.equal(json<Outcome>(response).resourceType, 'OperationOutcome');
    }
    const missing = await refresh(t, undefined);
    assert.equal(missing.statusCode, 422, missing.body);
  });

  it('logout ends the session on every contract and kills its refresh token', async () => {
    const { tokens } = await ovokRegister(t.app, t.clientId);
    for (const url of ['/auth/me', '/auth/session', '/v1/auth/me', '/api/v1/user/whoami']) {
      assert.equal((await get(t, url, tokens.accessToken)).statusCode, 200, url);
    }
    const logout = await t.app.inject({ method: 'POST', url: '/auth/logout', headers: { authorization: `Bearer ${tokens.accessToken}` } });
    assert.equal(logout.statusCode, 204);
    assert.equal(logout.body, '');
    for (const url of ['/auth/me', '/auth/session', '/v1/auth/me', '/api/v1/user/whoami']) {
      assert.equal((await get(t, url, tokens.accessToken)).statusCode, 401, url);
    }
    assert.equal((await refresh(t, tokens.refreshToken)).statusCode, 401);
  });

  it('DELETE /auth/session/other, /<id> and /all revoke exactly what they name', async () => {
    const { email, password, tokens: mine } = await ovokRegister(t.app, t.clientId);
    const theirs = await ovokLogin(t.app, t.clientId, email, password);
    const del = (option: string, token: string) =>
      t.app.inject({ method: 'DELETE', url: `/auth/session/${option}`, headers: { authorization: `Bearer ${token}` } });

    const other = await del('other', mine.accessToken);
    assert.equal(other.statusCode, 200, other.body);
    assert.equal((await get(t, '/auth/me', theirs.accessToken)).statusCode, 401);
    assert.equal((await refresh(t, theirs.refreshToken)).statusCode, 401);
    assert.equal((await get(t, '/auth/me', mine.accessToken)).statusCode, 200);

    const unknown = await del(randomUUID(), mine.accessToken);
    assert.equal(unknown.statusCode, 404, unknown.body);
    assert.equal((await get(t, '/auth/me', mine.accessToken)).statusCode, 200);

    const all = await del('all', mine.accessToken);
    assert.ok(all.statusCode === 200 || all.statusCode === 204, all.body);
    assert.equal((await get(t, '/auth/me', mine.accessToken)).statusCode, 401);
  });

  it('50 simultaneous registrations of one email: exactly one wins, the rest get a clean 400', async () => {
    const email = uniqueEmail('race');
    const responses = await Promise.all(
      Array.from({ length: 50 }, () =>
        t.app.inject({
          method: 'POST',
          url: '/auth/register',
          payload: { email, password: 'password1234', clientId: t.clientId, name: 'R', surname: 'C' },
        }),
      ),
    );
    const codes = responses.map((response) => response.statusCode);
    assert.equal(codes.filter((code) => code >= 500).length, 0, codes.join(','));
    assert.equal(codes.filter((code) => code === 200).length, 1, codes.join(','));
    for (const response of responses.filter((r) => r.statusCode !== 200)) {
      assert.equal(response.statusCode, 400, response.body);
      const outcome = json<Outcome>(response);
      assert.equal(outcome.resourceType, 'OperationOutcome');
      assert.deepEqual(outcome.issue[0]?.expression, ['email']);
    }
  });
});
