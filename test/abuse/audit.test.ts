import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { canonicalRow } from '../../src/core/audit.ts';
import { ADMIN_TOKEN, createTestApp, json, type TestApp } from '../helpers/app.ts';
import { ovokRegister } from '../helpers/ovok.ts';

interface Entry {
  id: string;
  time: string;
  action: string;
  outcome: string;
  projectId: string | null;
  userId: string | null;
  remoteAddress: string | null;
  userAgent: string | null;
  detail: Record<string, unknown>;
}
interface Page {
  items: Entry[];
  nextCursor: string | null;
}

describe('audit log', () => {
  let t: TestApp;
  const secrets: string[] = [];
  let userId = '';
  before(async () => {
    t = await createTestApp({ REFRESH_GRACE_SECONDS: '0' });
    const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };
    const { email, password, tokens } = await ovokRegister(t.app, t.clientId, { password: 'correct horse battery' });
    secrets.push(password, tokens.accessToken, tokens.refreshToken);
    const me = await t.app.inject({ method: 'GET', url: '/auth/me', headers: { authorization: `Bearer ${tokens.accessToken}` } });
    userId = json<{ membership: { user: { reference: string } } }>(me).membership.user.reference.split('/')[1] ?? '';
    const ua = { 'user-agent': 'AuditTest/1.0' };
    await t.app.inject({
      method: 'POST',
      url: '/v2/auth/login',
      remoteAddress: '192.0.2.44',
      headers: ua,
      payload: { email, password: 'not-the-password', clientId: t.clientId },
    });
    secrets.push('not-the-password');
    const refreshed = json<{ refresh_token: string; access_token: string }>(
      await t.app.inject({ method: 'POST', url: '/auth/refresh-token', payload: { refresh_token: tokens.refreshToken } }),
    );
    secrets.push(refreshed.refresh_token, refreshed.access_token);
    // Replaying the first refresh token (outside the grace window) ends the session.
    await t.app.inject({ method: 'POST', url: '/auth/refresh-token', payload: { refresh_token: tokens.refreshToken } });
    const second = await t.app.inject({ method: 'POST', url: '/v2/auth/login', payload: { email, password, clientId: t.clientId } });
    const fresh = json<{ accessToken: string; refreshToken: string }>(second);
    secrets.push(fresh.accessToken, fresh.refreshToken);
    await t.app.inject({ method: 'POST', url: '/auth/logout', headers: { authorization: `Bearer ${fresh.accessToken}` } });
    await t.app.inject({ method: 'POST', url: '/admin/keys/rotate', headers: admin });
    await t.app.inject({ method: 'POST', url: '/admin/projects', headers: admin, payload: { name: 'Audited project' } });
    secrets.push(ADMIN_TOKEN);
    await t.app.core.audit.flush();
  });
  after(async () => t.close());

  const get = async (query: string): Promise<Page> => {
    const response = await t.app.inject({
      method: 'GET',
      url: `/admin/audit${query}`,
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    assert.equal(response.statusCode, 200, response.body);
    return json<Page>(response);
  };

  it('records register, login failure, refresh, replay, logout, key rotation and admin actions', async () => {
    const actions = new Set((await get('?limit=500')).items.map((entry) => `${entry.action}:${entry.outcome}`));
    for (const expected of [
      'register:success',
      'login:failure',
      'login:success',
      'refresh:success',
      'refresh_replay:failure',
      'logout:success',
      'admin.keys.rotate:success',
      'admin.project.create:success',
    ]) {
      assert.ok(actions.has(expected), `missing ${expected} in ${[...actions].join(', ')}`);
    }
  });

  it('keeps time, project, user, address, user agent and a reason, and never a secret', async () => {
    const page = await get('?action=login&limit=500');
    const failure = page.items.find((entry) => entry.outcome === 'failure' && entry.remoteAddress === '192.0.2.44');
    assert.ok(failure);
    assert.equal(failure.userId, userId);
    assert.equal(failure.projectId, t.projectId);
    assert.equal(failure.userAgent, 'AuditTest/1.0');
    assert.equal(failure.detail.reason, 'wrong_password');
    assert.ok(Date.now() - Date.parse(failure.time) < 60_000);
    const everything = JSON.stringify(
      (await t.app.core.database.db.selectFrom('audit_log').selectAll().execute()).map((row) => canonicalRow(row)),
    );
    for (const secret of secrets) assert.ok(!everything.includes(secret), 'a secret reached the audit log');
  });

  it('redacts secret-looking detail keys even if an event carries one', async () => {
    t.app.core.events.emit({
      action: 'test.leak',
      outcome: 'success',
      detail: { password: 'hunter2-secret', nested: { refreshToken: 'ghr_x' }, ok: 1 },
    });
    await t.app.core.audit.flush();
    const [entry] = (await get('?action=test.leak')).items;
    assert.deepEqual(entry?.detail, { password: '[redacted]', nested: { refreshToken: '[redacted]' }, ok: 1 });
  });

  it('filters by user, action (exact or prefix) and time, and pages with a cursor', async () => {
    const mine = await get(`?userId=${userId}&limit=500`);
    assert.ok(mine.items.length >= 5);
    assert.ok(mine.items.every((entry) => entry.userId === userId));
    const admin = await get('?action=admin.*');
    assert.deepEqual([...new Set(admin.items.map((entry) => entry.action))].sort(), ['admin.keys.rotate', 'admin.project.create']);
    assert.equal((await get(`?since=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`)).items.length, 0);

    const all = (await get('?limit=500')).items.map((entry) => entry.id);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: Page = await get(`?limit=3${cursor === null ? '' : `&cursor=${cursor}`}`);
      assert.ok(page.items.length <= 3);
      seen.push(...page.items.map((entry) => entry.id));
      cursor = page.nextCursor;
    } while (cursor !== null);
    assert.deepEqual(seen, all);
    assert.deepEqual(
      [...all].sort((a, b) => Number(b) - Number(a)),
      all,
      'newest first',
    );
  });

  it('is refused without the admin token and validates its query', async () => {
    assert.equal((await t.app.inject({ method: 'GET', url: '/admin/audit' })).statusCode, 401);
    const bad = await t.app.inject({
      method: 'GET',
      url: '/admin/audit?since=yesterday',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    assert.equal(bad.statusCode, 422);
  });

  it('forms one intact chain even when events arrive concurrently', async () => {
    for (let i = 0; i < 120; i += 1) t.app.core.events.emit({ action: 'test.burst', outcome: 'success', detail: { i } });
    await Promise.all([t.app.core.audit.flush(), ovokRegister(t.app, t.clientId), ovokRegister(t.app, t.clientId)]);
    await t.app.core.audit.flush();
    const result = await t.app.core.audit.verify();
    assert.equal(result.ok, true, JSON.stringify(result.firstBad));
    assert.ok(result.rows > 120);
  });

  it('detects an edited row, and names it', async () => {
    const { db } = t.app.core.database;
    const target = await db
      .selectFrom('audit_log')
      .select(['id', 'detail'])
      .where('action', '=', 'login')
      .where('outcome', '=', 'failure')
      .executeTakeFirstOrThrow();
    await sql`UPDATE audit_log SET detail = '{"reason":"nothing to see"}'::jsonb WHERE id = ${target.id}`.execute(db);
    const result = await t.app.core.audit.verify();
    assert.equal(result.ok, false);
    assert.equal(result.firstBad?.id, target.id);
    assert.match(result.firstBad?.reason ?? '', /edited/);
    // Putting the original back makes the chain whole again (the next test needs it).
    await sql`UPDATE audit_log SET detail = ${JSON.stringify(target.detail)}::jsonb WHERE id = ${target.id}`.execute(db);
    assert.equal((await t.app.core.audit.verify()).ok, true);
  });

  it('detects a deleted row', async () => {
    await sql`DELETE FROM audit_log WHERE id = 3`.execute(t.app.core.database.db);
    const result = await t.app.core.audit.verify();
    assert.equal(result.ok, false);
    assert.equal(result.firstBad?.id, 4);
    assert.match(result.firstBad?.reason ?? '', /missing/);
  });
});
