import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { generate } from 'otplib';
import type { Actor } from '../../src/core/use-cases/actor.ts';
import { ADMIN_TOKEN, createTestApp, json, type TestApp } from '../helpers/app.ts';
import { ovokRegister, uniqueEmail, type OvokTokens } from '../helpers/ovok.ts';

interface UserSummary {
  id: string;
  projectId: string;
  number: number;
  email: string;
  account: string | null;
  name: string;
  active: boolean;
  emailVerified: boolean;
  plan: string;
  credits: number;
}
interface UserDetail {
  user: UserSummary;
  profile: { reference: string };
  mfaEnrolled: boolean;
  locked: boolean;
  apiKeys: Array<{ maskedKey: string; primary: boolean }>;
  sessions: Array<{ id: string; remoteAddress: string | null }>;
  audit: Array<{ action: string }>;
}
interface Page {
  items: UserSummary[];
  nextCursor: string | null;
}

const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };

describe('user management in the admin API (find, show, change, act, delete) and operators', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp({ BRUTE_FORCE: 'on', BRUTE_FORCE_MAX_FAILURES: '3', BRUTE_FORCE_WAIT_SECONDS: '60' });
  });
  after(async () => t.close());

  const call = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: unknown) =>
    t.app.inject({ method, url, headers: admin, ...(payload !== undefined && { payload: payload as Record<string, unknown> }) });
  const me = (token: string) => t.app.inject({ method: 'GET', url: '/auth/me', headers: { authorization: `Bearer ${token}` } });

  async function ovokUser(prefix: string): Promise<{ email: string; password: string; tokens: OvokTokens; id: string }> {
    const registered = await ovokRegister(t.app, t.clientId, { email: uniqueEmail(prefix) });
    const found = json<Page>(await call('GET', `/admin/users?q=${encodeURIComponent(registered.email)}`));
    assert.equal(found.items.length, 1);
    return { ...registered, id: found.items[0]?.id ?? '' };
  }

  it('finds users by email prefix, PixelMover number, id and account, across projects or in one, page by page', async () => {
    const prefix = `find${Date.now()}`;
    const users = await Promise.all([1, 2, 3].map((n) => ovokUser(`${prefix}.${n}`)));
    const byPrefix = json<Page>(await call('GET', `/admin/users?q=${prefix.toUpperCase()}`));
    assert.deepEqual(
      byPrefix.items.map((user) => user.id),
      users.map((user) => user.id),
    );

    const first = json<Page>(await call('GET', `/admin/users?q=${prefix}&limit=2`));
    assert.equal(first.items.length, 2);
    assert.notEqual(first.nextCursor, null);
    const second = json<Page>(await call('GET', `/admin/users?q=${prefix}&limit=2&cursor=${first.nextCursor}`));
    assert.deepEqual(
      [...first.items, ...second.items].map((user) => user.id),
      users.map((user) => user.id),
    );
    assert.equal(second.nextCursor, null);

    const target = byPrefix.items[1] as UserSummary;
    assert.deepEqual(
      json<Page>(await call('GET', `/admin/users?q=${target.number}`)).items.map((user) => user.id),
      [target.id],
    );
    assert.deepEqual(
      json<Page>(await call('GET', `/admin/users?q=${target.id}`)).items.map((user) => user.id),
      [target.id],
    );
    assert.equal(json<Page>(await call('GET', `/admin/users?q=${prefix}&projectId=${target.projectId}`)).items.length, 3);

    const account = `acct${Date.now()}`;
    const form = new URLSearchParams({
      name: 'Jinu Tester',
      account,
      email: uniqueEmail('jinu'),
      password: 'password1234',
      password_confirm: 'password1234',
    });
    const registered = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/register',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: form.toString(),
    });
    assert.equal(registered.statusCode, 201, registered.body);
    assert.deepEqual(
      json<Page>(await call('GET', `/admin/users?q=${account}`)).items.map((user) => user.account),
      [account],
    );

    assert.equal((await call('GET', '/admin/users?cursor=garbage')).statusCode, 422);
    assert.equal((await t.app.inject({ method: 'GET', url: '/admin/users' })).statusCode, 401);
  });

  it('shows a user with sessions, MFA, keys and audit trail; disabling and ending sessions refuse its tokens at once', async () => {
    const user = await ovokUser('show');
    // The audit writer gathers events for a moment before it writes them.
    await t.app.core.audit.flush();
    const detail = json<UserDetail>(await call('GET', `/admin/users/${user.id}`));
    assert.equal(detail.user.email, user.email);
    assert.match(detail.profile.reference, /^Patient\//);
    assert.equal(detail.mfaEnrolled, false);
    assert.equal(detail.locked, false);
    assert.equal(detail.sessions.length, 1);
    assert.ok(detail.audit.some((entry) => entry.action === 'register'));

    const disabled = await call('PATCH', `/admin/users/${user.id}`, { active: false });
    assert.equal(disabled.statusCode, 200, disabled.body);
    assert.equal(json<UserSummary>(disabled).active, false);
    assert.equal((await me(user.tokens.accessToken)).statusCode, 401);
    const refused = await t.app.inject({
      method: 'POST',
      url: '/v2/auth/login',
      payload: { email: user.email, password: user.password, clientId: t.clientId },
    });
    assert.equal(refused.statusCode, 401);

    assert.equal(
      (await call('PATCH', `/admin/users/${user.id}`, { active: true, emailVerified: true, plan: 'pro', credits: 42 })).statusCode,
      200,
    );
    const again = await t.app.inject({
      method: 'POST',
      url: '/v2/auth/login',
      payload: { email: user.email, password: user.password, clientId: t.clientId },
    });
    assert.equal(again.statusCode, 200, again.body);
    const changed = json<UserDetail>(await call('GET', `/admin/users/${user.id}`)).user;
    assert.deepEqual([changed.emailVerified, changed.plan, changed.credits], [true, 'pro', 42]);

    const token = json<OvokTokens>(again).accessToken;
    assert.equal((await me(token)).statusCode, 200);
    assert.equal((await call('POST', `/admin/users/${user.id}/revoke-sessions`)).statusCode, 204);
    assert.equal((await me(token)).statusCode, 401);
    assert.equal((await call('PATCH', `/admin/users/${user.id}`, {})).statusCode, 422);
    assert.equal((await call('GET', '/admin/users/not-an-id')).statusCode, 404);
  });

  it('unlocks an account locked out by wrong passwords, from the address that failed', async () => {
    const user = await ovokUser('locked');
    const login = (password: string) =>
      t.app.inject({ method: 'POST', url: '/v2/auth/login', payload: { email: user.email, password, clientId: t.clientId } });
    for (let i = 0; i < 3; i += 1) assert.equal((await login('wrong-password')).statusCode, 401);
    assert.equal((await login(user.password)).statusCode, 429, 'locked out even with the right password');
    await t.app.core.audit.flush();
    assert.equal(json<UserDetail>(await call('GET', `/admin/users/${user.id}`)).locked, true);
    assert.equal((await call('POST', `/admin/users/${user.id}/unlock`)).statusCode, 204);
    assert.equal(json<UserDetail>(await call('GET', `/admin/users/${user.id}`)).locked, false);
    assert.equal((await login(user.password)).statusCode, 200);
  });

  it('sends a password reset, resets MFA and deletes, each an audit event naming the admin token', async () => {
    const user = await ovokUser('acts');
    assert.equal((await call('POST', `/admin/users/${user.id}/send-password-reset`)).statusCode, 204);
    await t.app.core.lifecycle.background.idle();
    const mail = json<{ items: Array<{ kind: string }> }>(await call('GET', `/admin/outbox?to=${encodeURIComponent(user.email)}`));
    assert.ok(
      mail.items.some((item) => item.kind === 'password-reset'),
      JSON.stringify(mail),
    );

    const auth = { authorization: `Bearer ${user.tokens.accessToken}` };
    const status = json<{ enrollUri: string }>(await t.app.inject({ method: 'GET', url: '/auth/mfa/status', headers: auth }));
    const secret = new URL(status.enrollUri).searchParams.get('secret') ?? '';
    assert.equal(
      (await t.app.inject({ method: 'POST', url: '/auth/mfa/enroll', headers: auth, payload: { token: await generate({ secret }) } }))
        .statusCode,
      200,
    );
    assert.equal(json<UserDetail>(await call('GET', `/admin/users/${user.id}`)).mfaEnrolled, true);
    assert.equal((await call('POST', `/admin/users/${user.id}/reset-mfa`)).statusCode, 204);
    assert.equal(json<UserDetail>(await call('GET', `/admin/users/${user.id}`)).mfaEnrolled, false);

    assert.equal((await call('DELETE', `/admin/users/${user.id}`)).statusCode, 204);
    assert.equal((await call('GET', `/admin/users/${user.id}`)).statusCode, 404);
    assert.equal((await me(user.tokens.accessToken)).statusCode, 401);

    await t.app.core.audit.flush();
    const audit = json<{ items: Array<{ action: string; userId: string; detail: { actor?: string } }> }>(
      await call('GET', '/admin/audit?actor=admin%20token&limit=500'),
    );
    const mine = audit.items.filter((entry) => entry.userId === user.id).map((entry) => entry.action);
    assert.deepEqual(mine.sort(), ['admin.user.delete', 'admin.user.reset_mfa', 'admin.user.send_password_reset']);
    assert.ok(audit.items.every((entry) => entry.detail.actor === 'admin token'));
  });

  it('creates operators in a system project that no contract serves; support operators may not delete or change settings', async () => {
    const created = await call('POST', '/admin/operators', { email: uniqueEmail('operator'), role: 'support' });
    assert.equal(created.statusCode, 201, created.body);
    const { operator, password } = json<{ operator: { id: string; email: string; role: string }; password: string }>(created);
    assert.equal(operator.role, 'support');
    assert.ok(password.length >= 20);
    assert.ok(json<Array<{ id: string }>>(await call('GET', '/admin/operators')).some((listed) => listed.id === operator.id));
    assert.equal((await call('POST', '/admin/operators', { email: operator.email, role: 'admin' })).statusCode, 409);

    // The operators' project is not a tenant: not listed, and its clients are unknown to the contracts.
    const system = await t.app.core.projects.systemProject();
    assert.ok(!json<Array<{ id: string }>>(await call('GET', '/admin/projects')).some((project) => project.id === system.id));
    const consoleClient = await t.app.core.projects.createClient(system.id, 'console');
    const login = await t.app.inject({
      method: 'POST',
      url: '/v2/auth/login',
      payload: { email: operator.email, password, clientId: consoleClient.id },
    });
    assert.equal(login.statusCode, 404, login.body);

    const support: Actor = await t.app.core.api.operators.actorFor(operator.id, '127.0.0.1');
    assert.deepEqual(support, { kind: 'operator', operatorId: operator.id, role: 'support', remoteAddress: '127.0.0.1' });
    const user = await ovokUser('support');
    const users = t.app.core.api.users;
    assert.equal((await users.find(support, { query: user.email, limit: 5 })).users.length, 1);
    await users.revokeSessions(support, user.id);
    await users.unlock(support, user.id);
    for (const refused of [
      users.delete(support, user.id),
      users.update(support, user.id, { isActive: false }),
      users.resetMfa(support, user.id),
    ]) {
      await assert.rejects(refused, { code: 'forbidden' });
    }
    await assert.rejects(t.app.core.api.admin.rotateKeys(support), { code: 'forbidden' });
    await assert.rejects(t.app.core.api.admin.updateProject(t.projectId, { name: 'x' }, support), { code: 'forbidden' });
    await assert.rejects(t.app.core.api.operators.actorFor(user.id, undefined), { code: 'forbidden' });
    await t.app.core.audit.flush();
    const actions = await t.app.core.audit.list({ actor: `operator:${operator.id}`, limit: 10 });
    assert.deepEqual(actions.map((row) => row.action).sort(), ['admin.user.revoke_sessions', 'admin.user.unlock']);
  });
});
