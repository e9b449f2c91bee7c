import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { ovokRegister } from '../helpers/ovok.ts';
import { API, signedIn } from '../jinuai/helpers.ts';
import { register as pmRegister } from '../pixelmover/helpers.ts';

// An existing and an unknown email must get the same status and body wherever the contract allows it.
// (Registration cannot: each contract documents "already taken" as its answer; see SECURITY.md.)

let t: TestApp;
before(async () => {
  t = await createTestApp();
});
after(async () => t.close());

async function same(request: (email: string) => Promise<{ statusCode: number; body: string }>, known: string, what: string): Promise<void> {
  const a = await request(known);
  const b = await request(`nobody.${Date.now()}@example.com`);
  assert.ok(a.statusCode < 500, a.body);
  assert.equal(a.statusCode, b.statusCode, `${what}: status differs`);
  // Ovok's OperationOutcome carries a random id: compare without it.
  const strip = (body: string) => body.replace(/"id":"[0-9a-f-]{36}",?/g, '');
  assert.equal(strip(a.body), strip(b.body), `${what}: body differs`);
}

describe('account enumeration', () => {
  it('login with a wrong password: same answer for an existing and an unknown email, in every contract', async () => {
    const ovok = await ovokRegister(t.app, t.clientId);
    await same(
      (email) =>
        t.app.inject({ method: 'POST', url: '/v2/auth/login', payload: { email, password: 'wrong-password-1', clientId: t.clientId } }),
      ovok.email,
      'Ovok login',
    );
    const pm = await pmRegister(t.app);
    await same(
      (email) => t.app.inject({ method: 'POST', url: '/v1/auth/login', payload: { email, password: 'wrong-password-1' } }),
      pm.email,
      'PixelMover login',
    );
    const { fields } = await signedIn(t.app);
    await same(
      (email) => t.app.inject({ method: 'POST', url: `${API}/auth/login`, payload: { email, password: 'wrong-password-1' } }),
      fields.email!,
      'JinuAI login',
    );
    await same(
      (email) =>
        t.app.inject({
          method: 'POST',
          url: `${API}/auth/login`,
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          payload: new URLSearchParams({ grant_type: 'password', username: email, password: 'wrong-password-1' }).toString(),
        }),
      fields.email!,
      'JinuAI OAuth2 form login',
    );
  });

  it('password reset requests: same answer for an existing and an unknown email, in every contract', async () => {
    const ovok = await ovokRegister(t.app, t.clientId);
    await same(
      (email) => t.app.inject({ method: 'POST', url: '/auth/reset-password', payload: { email, clientId: t.clientId } }),
      ovok.email,
      'Ovok reset',
    );
    const pm = await pmRegister(t.app);
    await same(
      (email) => t.app.inject({ method: 'POST', url: '/v1/auth/forgot-password', payload: { email } }),
      pm.email,
      'PixelMover forgot-password',
    );
    const { fields } = await signedIn(t.app);
    await same(
      (email) => t.app.inject({ method: 'POST', url: `${API}/password-recovery/${encodeURIComponent(email)}` }),
      fields.email!,
      'JinuAI password-recovery',
    );
  });

  // Regression (timing campaign): the reset request's lookup and email began at once, on the
  // request's own event-loop turn, so an existing address answered measurably slower (28% on
  // the embedded database). The work now starts only after the answer is out.
  it('password reset requests answer before the address is even looked up', async () => {
    const ovok = await ovokRegister(t.app, t.clientId);
    await t.app.core.lifecycle.background.idle();
    const users = t.app.core.users;
    const original = users.byEmail.bind(users);
    const lookups: string[] = [];
    users.byEmail = async (projectId, email) => {
      lookups.push(email);
      return original(projectId, email);
    };
    try {
      const answered = await t.app.inject({
        method: 'POST',
        url: '/auth/reset-password',
        payload: { email: ovok.email, clientId: t.clientId },
      });
      assert.equal(answered.statusCode, 200);
      assert.deepEqual(lookups, []);
      await t.app.core.lifecycle.background.idle();
      assert.deepEqual(lookups, [ovok.email]);
    } finally {
      users.byEmail = original;
    }
  });
});
