import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTestApp, json, type TestApp } from '../helpers/app.ts';
import { ovokLogin, ovokRegister } from '../helpers/ovok.ts';

interface Me {
  profile: { name: Array<{ given: string[]; family: string }> };
  security: { sessions: Array<{ id: string }> };
}

// "me" endpoints read through a short-lived cache; a change made by this instance must show at once.
describe('read cache of the "me" endpoints', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(async () => t.close());

  it('shows a new session, a revoked session and a renamed user immediately', async () => {
    const { email, password, tokens } = await ovokRegister(t.app, t.clientId);
    const me = async (token: string): Promise<Me> =>
      json<Me>(await t.app.inject({ method: 'GET', url: '/auth/me', headers: { authorization: `Bearer ${token}` } }));
    assert.equal((await me(tokens.accessToken)).security.sessions.length, 1);

    const second = await ovokLogin(t.app, t.clientId, email, password);
    assert.equal((await me(tokens.accessToken)).security.sessions.length, 2);

    const revoke = await t.app.inject({
      method: 'DELETE',
      url: '/auth/session/other',
      headers: { authorization: `Bearer ${second.accessToken}` },
    });
    assert.equal(revoke.statusCode, 200);
    assert.equal((await me(second.accessToken)).security.sessions.length, 1);

    const user = await t.app.core.users.byEmail(t.projectId, email);
    assert.ok(user);
    await t.app.core.users.update(user.id, { first_name: 'Renamed', last_name: 'Person' });
    assert.deepEqual((await me(second.accessToken)).profile.name, [{ given: ['Renamed'], family: 'Person' }]);
  });
});
