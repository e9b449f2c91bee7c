import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as jose from 'jose';
import { createTestApp, json, type TestApp } from '../helpers/app.ts';
import { ovokRegister } from '../helpers/ovok.ts';
import { API, bearer, newUser, signedIn, urlencoded } from '../jinuai/helpers.ts';
import { PASSWORD, register as pmRegister, registration, type Laravel422, type ListedKey } from '../pixelmover/helpers.ts';
import { linkIn, outboxFor } from '../lifecycle/helpers.ts';

// Many requests for one thing at once: exactly the documented winner, no 5xx, a consistent database.
const N = 8;

let t: TestApp;
before(async () => {
  t = await createTestApp({ LINK_BASE_URL: 'https://app.example.test' });
});
after(async () => t.close());

function statuses(responses: { statusCode: number }[]): number[] {
  return responses.map((r) => r.statusCode).sort();
}

describe('races', () => {
  it('PixelMover: one email registered 8 times at once → one 201, seven Laravel 422 "taken", one user', async () => {
    const payload = registration();
    const all = await Promise.all(Array.from({ length: N }, () => t.app.inject({ method: 'POST', url: '/v1/auth/register', payload })));
    assert.deepEqual(statuses(all), [201, ...Array<number>(N - 1).fill(422)], all.map((r) => r.body).join('\n'));
    for (const r of all.filter((x) => x.statusCode === 422))
      assert.deepEqual(json<Laravel422>(r).errors, { email: ['The email has already been taken.'] });
    assert.ok(await t.app.core.users.byEmail(t.projectId, String(payload.email)));
    assert.equal(
      (await t.app.inject({ method: 'POST', url: '/v1/auth/login', payload: { email: payload.email, password: PASSWORD } })).statusCode,
      200,
    );
  });

  it('JinuAI: one email, and one account, registered 8 times at once → one 201, the rest FastAPI 400s', async () => {
    const base = newUser();
    const sameEmail = await Promise.all(
      Array.from({ length: N }, (_, i) =>
        t.app.inject({
          method: 'POST',
          url: `${API}/auth/register`,
          ...urlencoded({ ...base, account: `${base.account!.slice(0, 28)}e${i}` }),
        }),
      ),
    );
    assert.deepEqual(statuses(sameEmail), [201, ...Array<number>(N - 1).fill(400)], sameEmail.map((r) => r.body).join('\n'));
    for (const r of sameEmail.filter((x) => x.statusCode === 400)) assert.deepEqual(json(r), { detail: 'Email already registered' });
    const other = newUser();
    const sameAccount = await Promise.all(
      Array.from({ length: N }, (_, i) =>
        t.app.inject({ method: 'POST', url: `${API}/auth/register`, ...urlencoded({ ...other, email: `a${i}.${other.email!}` }) }),
      ),
    );
    assert.deepEqual(statuses(sameAccount), [201, ...Array<number>(N - 1).fill(400)], sameAccount.map((r) => r.body).join('\n'));
    for (const r of sameAccount.filter((x) => x.statusCode === 400)) assert.deepEqual(json(r), { detail: 'Account name already taken' });
    assert.ok(await t.app.core.users.byAccount(t.projectId, other.account!));
  });

  it('JinuAI: one refresh token used 8 times at once → all succeed within the grace window, one live session', async () => {
    const { tokens } = await signedIn(t.app);
    const all = await Promise.all(
      Array.from({ length: N }, () =>
        t.app.inject({ method: 'POST', url: `${API}/auth/token`, payload: { refresh_token: tokens.refresh_token } }),
      ),
    );
    assert.deepEqual(statuses(all), Array<number>(N).fill(200), all.map((r) => r.body).join('\n'));
    const sid = jose.decodeJwt(tokens.access_token).sid;
    for (const r of all) {
      const access = json<{ access_token: string }>(r).access_token;
      assert.equal(jose.decodeJwt(access).sid, sid, 'every refresh continues the same session');
      assert.equal((await t.app.inject({ method: 'GET', url: `${API}/user/whoami`, headers: bearer(access) })).statusCode, 200);
    }
    const user = jose.decodeJwt(tokens.access_token).sub ?? '';
    assert.deepEqual(
      (await t.app.core.sessions.listActive(user)).map((s) => s.id),
      [sid],
    );
  });

  it('one reset secret used 6 times at once, per contract → exactly one new password wins', async () => {
    const attempts = Array.from({ length: 6 }, (_, i) => `race-winner-pass-${i}`);
    // PixelMover
    const pm = await pmRegister(t.app);
    await t.app.inject({ method: 'POST', url: '/v1/auth/forgot-password', payload: { email: pm.email } });
    const pmToken = decodeURIComponent(
      linkIn(await outboxFor(t.app, pm.email, (m) => m.kind === 'password-reset'), '/reset-password/')
        .pathname.split('/')
        .pop() ?? '',
    );
    const pmAll = await Promise.all(
      attempts.map((password) =>
        t.app.inject({
          method: 'POST',
          url: '/v1/auth/reset-password',
          payload: { token: pmToken, email: pm.email, password, password_confirmation: password },
        }),
      ),
    );
    assert.deepEqual(statuses(pmAll), [200, 422, 422, 422, 422, 422], pmAll.map((r) => r.body).join('\n'));
    const pmWinner = attempts[pmAll.findIndex((r) => r.statusCode === 200)];
    for (const password of attempts) {
      const login = await t.app.inject({ method: 'POST', url: '/v1/auth/login', payload: { email: pm.email, password } });
      assert.equal(login.statusCode, password === pmWinner ? 200 : 422, `PixelMover login with ${password}`);
    }
    // JinuAI
    const { fields } = await signedIn(t.app);
    await t.app.inject({ method: 'POST', url: `${API}/password-recovery/${encodeURIComponent(fields.email!)}` });
    const jinuToken =
      linkIn(await outboxFor(t.app, fields.email!, (m) => m.kind === 'password-reset'), '/reset-password').searchParams.get('token') ?? '';
    const jinuAll = await Promise.all(
      attempts.map((password) =>
        t.app.inject({ method: 'POST', url: `${API}/reset-password/`, payload: { token: jinuToken, new_password: password } }),
      ),
    );
    assert.deepEqual(statuses(jinuAll), [200, 400, 400, 400, 400, 400], jinuAll.map((r) => r.body).join('\n'));
    const jinuWinner = attempts[jinuAll.findIndex((r) => r.statusCode === 200)];
    for (const password of attempts) {
      const login = await t.app.inject({ method: 'POST', url: `${API}/auth/login`, payload: { email: fields.email, password } });
      assert.equal(login.statusCode, password === jinuWinner ? 200 : 401, `JinuAI login with ${password}`);
    }
    // Ovok
    const ovok = await ovokRegister(t.app, t.clientId);
    await t.app.inject({ method: 'POST', url: '/auth/reset-password', payload: { email: ovok.email, clientId: t.clientId } });
    const [, , id, secret] = linkIn(await outboxFor(t.app, ovok.email, (m) => m.kind === 'password-reset'), '/setpassword/').pathname.split(
      '/',
    );
    const ovokAll = await Promise.all(
      attempts.map((password) => t.app.inject({ method: 'POST', url: '/auth/set-password', payload: { id, secret, password } })),
    );
    assert.deepEqual(statuses(ovokAll), [200, 400, 400, 400, 400, 400], ovokAll.map((r) => r.body).join('\n'));
    const ovokWinner = attempts[ovokAll.findIndex((r) => r.statusCode === 200)];
    for (const password of attempts) {
      const login = await t.app.inject({
        method: 'POST',
        url: '/v2/auth/login',
        payload: { email: ovok.email, password, clientId: t.clientId },
      });
      assert.equal(login.statusCode, password === ovokWinner ? 200 : 401, `Ovok login with ${password}`);
    }
  });

  it('PixelMover: 8 concurrent primary-key switches → all 200, afterwards exactly one primary, one of those switched to', async () => {
    const { cookie } = await pmRegister(t.app);
    const created: number[] = [];
    for (let i = 0; i < N; i++) {
      const r = await t.app.inject({ method: 'POST', url: '/v1/api-keys', headers: { cookie }, payload: { name: `key ${i}` } });
      assert.equal(r.statusCode, 201, r.body);
      created.push(json<{ data: { id: number } }>(r).data.id);
    }
    const all = await Promise.all(
      created.map((id) => t.app.inject({ method: 'POST', url: `/v1/api-keys/${id}/primary`, headers: { cookie } })),
    );
    assert.deepEqual(statuses(all), Array<number>(N).fill(200), all.map((r) => r.body).join('\n'));
    const keys = json<{ data: ListedKey[] }>(await t.app.inject({ method: 'GET', url: '/v1/api-keys', headers: { cookie } })).data;
    const primaries = keys.filter((k) => k.is_primary);
    assert.equal(primaries.length, 1, JSON.stringify(keys));
    assert.ok(created.includes(primaries[0]!.id));
  });
});
