import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { decodeJwt } from 'jose';
import { ADMIN_TOKEN, createTestApp, json, type TestApp } from '../helpers/app.ts';
import { ovokLogin, ovokRegister } from '../helpers/ovok.ts';

interface Outcome {
  resourceType: string;
  issue: Array<{ severity: string; code: string; expression?: string[] }>;
}
interface Me {
  project: { resourceType: string; id: string; name: string; strictMode: boolean };
  membership: { resourceType: string; id: string; user: { reference: string; display: string } };
  profile: { resourceType: string; name: Array<{ given: string[]; family: string }>; telecom: Array<{ system: string; value: string }> };
  config: unknown;
  accessPolicy: unknown;
  security: { mfaEnrolled: boolean; sessions: Array<{ id: string }> };
}

function bearer(t: TestApp, method: 'GET' | 'POST' | 'DELETE', url: string, token: string, payload?: object) {
  return t.app.inject({ method, url, headers: { authorization: `Bearer ${token}` }, ...(payload !== undefined ? { payload } : {}) });
}
const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };

describe('Ovok account endpoints and the admin API', () => {
  let t: TestApp;
  let noAdmin: TestApp;
  before(async () => {
    t = await createTestApp();
    noAdmin = await createTestApp({ GATEHOUSE_ADMIN_TOKEN: '' });
  });
  after(async () => {
    await t.close();
    await noAdmin.close();
  });

  it('GET /auth/me answers the Medplum shape', async () => {
    const { email, tokens } = await ovokRegister(t.app, t.clientId);
    const response = await bearer(t, 'GET', '/auth/me', tokens.accessToken);
    assert.equal(response.statusCode, 200);
    const me = json<Me>(response);
    assert.equal(me.project.resourceType, 'Project');
    assert.equal(me.project.id, t.projectId);
    assert.equal(me.project.name, 'Default Project');
    assert.equal(typeof me.project.strictMode, 'boolean');
    assert.equal(me.membership.resourceType, 'ProjectMembership');
    assert.equal(typeof me.membership.id, 'string');
    assert.match(me.membership.user.reference, /^User\/[0-9a-f-]{36}$/);
    assert.equal(typeof me.membership.user.display, 'string');
    assert.equal(me.profile.resourceType, 'Patient');
    assert.deepEqual(me.profile.name[0], { given: ['John'], family: 'Doe' });
    assert.ok(me.profile.telecom.some((c) => c.system === 'email' && c.value === email));
    assert.ok('config' in me);
    assert.ok('accessPolicy' in me);
    assert.equal(me.security.mfaEnrolled, false);
    assert.equal(me.security.sessions.length, 1);
    assert.equal((await bearer(t, 'GET', '/auth/me', 'not-a-jwt')).statusCode, 401);
    assert.equal((await t.app.inject({ method: 'GET', url: '/auth/me' })).statusCode, 401);
  });

  it('logout is 204 without a body, then the token is refused everywhere', async () => {
    const { tokens } = await ovokRegister(t.app, t.clientId);
    const out = await bearer(t, 'POST', '/auth/logout', tokens.accessToken);
    assert.equal(out.statusCode, 204);
    assert.equal(out.body, '');
    const again = await bearer(t, 'POST', '/auth/logout', tokens.accessToken);
    assert.equal(again.statusCode, 401);
    assert.equal(json<Outcome>(again).resourceType, 'OperationOutcome');
    for (const [method, url] of [
      ['GET', '/auth/me'],
      ['GET', '/auth/session'],
      ['DELETE', '/auth/delete'],
      ['GET', '/v1/auth/me'],
      ['GET', '/api/v1/user/whoami'],
    ] as const) {
      const response = await bearer(t, method, url, tokens.accessToken, method === 'DELETE' ? { days: 30 } : undefined);
      assert.equal(response.statusCode, 401, `${method} ${url}`);
    }
  });

  it('lists sessions and revokes by id; unknown and foreign ids are 404', async () => {
    const { email, password, tokens } = await ovokRegister(t.app, t.clientId);
    const second = await ovokLogin(t.app, t.clientId, email, password);
    const other = await ovokRegister(t.app, t.clientId);
    const listed = await bearer(t, 'GET', '/auth/session', tokens.accessToken);
    assert.equal(listed.statusCode, 200);
    const sessions = json<{ sessions: Array<{ id: string }> }>(listed).sessions;
    assert.equal(sessions.length, 2);
    const secondSid = decodeJwt(second.accessToken).sid as string;
    assert.ok(sessions.some((s) => s.id === secondSid));
    assert.equal((await bearer(t, 'DELETE', `/auth/session/${randomUUID()}`, tokens.accessToken)).statusCode, 404);
    const foreignSid = decodeJwt(other.tokens.accessToken).sid as string;
    assert.equal((await bearer(t, 'DELETE', `/auth/session/${foreignSid}`, tokens.accessToken)).statusCode, 404);
    assert.equal((await bearer(t, 'GET', '/auth/me', other.tokens.accessToken)).statusCode, 200);
    const revoked = await bearer(t, 'DELETE', `/auth/session/${secondSid}`, tokens.accessToken);
    assert.equal(revoked.statusCode, 200);
    assert.equal(json<{ sessions: unknown[] }>(revoked).sessions.length, 1);
    assert.equal((await bearer(t, 'GET', '/auth/me', second.accessToken)).statusCode, 401);
    const r = await t.app.inject({ method: 'POST', url: '/auth/refresh-token', payload: { refresh_token: second.refreshToken } });
    assert.equal(r.statusCode, 401);
    const current = await bearer(t, 'DELETE', '/auth/session/current', tokens.accessToken);
    assert.equal(current.statusCode, 200);
    assert.equal((await bearer(t, 'GET', '/auth/me', tokens.accessToken)).statusCode, 401);
  });

  it('DELETE /auth/delete schedules, a new login cancels, days=0 deletes at once', async () => {
    const { email, password, tokens } = await ovokRegister(t.app, t.clientId);
    const userId = decodeJwt(tokens.accessToken).sub as string;
    const response = await bearer(t, 'DELETE', '/auth/delete', tokens.accessToken, { days: 30 });
    assert.equal(response.statusCode, 200);
    const body = json<{ scheduled: string; user: { resourceType: string; id: string; email: string } }>(response);
    assert.ok(Date.parse(body.scheduled) > Date.now() + 29 * 86_400_000);
    assert.equal(body.user.resourceType, 'User');
    assert.equal(body.user.id, userId);
    assert.equal((await t.app.core.users.byId(userId)).deletion_scheduled_at instanceof Date, true);
    assert.equal((await bearer(t, 'GET', '/auth/me', tokens.accessToken)).statusCode, 401);
    const again = await ovokLogin(t.app, t.clientId, email, password);
    assert.equal((await t.app.core.users.byId(userId)).deletion_scheduled_at, null);
    const now = await bearer(t, 'DELETE', '/auth/delete', again.accessToken, { days: 0 });
    assert.equal(now.statusCode, 200);
    const login = await t.app.inject({ method: 'POST', url: '/v2/auth/login', payload: { email, password, clientId: t.clientId } });
    assert.equal(login.statusCode, 401);
  });

  it('/auth/me hides secrets and details sessions; 401s are FHIR; deletion answers the User; bad days is 422', async () => {
    const ua = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36';
    const { email, password } = await ovokRegister(t.app, t.clientId);
    const login = await t.app.inject({
      method: 'POST',
      url: '/v2/auth/login',
      headers: { 'user-agent': ua },
      payload: { email, password, clientId: t.clientId },
    });
    assert.equal(login.statusCode, 200);
    const token = json<{ accessToken: string }>(login).accessToken;
    const me = await bearer(t, 'GET', '/auth/me', token);
    assert.doesNotMatch(me.body, /password_hash|passwordHash|"secret"/);
    const body = json<Me & { membership: { profile: { reference: string } }; security: { sessions: Array<Record<string, unknown>> } }>(me);
    assert.equal(body.membership.user.display, email);
    assert.match(body.membership.profile.reference, /^Patient\//);
    assert.equal(body.accessPolicy, null);
    const session = body.security.sessions.find((s) => s.id === decodeJwt(token).sid) as Record<string, unknown> | undefined;
    assert.ok(session, me.body);
    for (const key of ['id', 'lastUpdated', 'authMethod', 'remoteAddress', 'browser', 'os']) assert.ok(key in session, key);
    assert.equal(session.authMethod, 'password');
    const listed = json<{ sessions: Array<{ id: string; browser: string; os: string }> }>(
      await bearer(t, 'GET', '/auth/session', token),
    ).sessions;
    assert.equal(listed.length, 2);
    const withUa = listed.find((s) => s.id === decodeJwt(token).sid);
    assert.match(String(withUa?.browser), /Chrome/);
    assert.match(String(withUa?.os), /Windows/);
    const garbage = await bearer(t, 'GET', '/auth/me', 'garbage');
    assert.equal(garbage.statusCode, 401);
    assert.match(String(garbage.headers['content-type']), /application\/fhir\+json/);
    assert.equal(json<Outcome>(garbage).resourceType, 'OperationOutcome');
    assert.equal((await bearer(t, 'DELETE', '/auth/delete', token, { days: 'x' })).statusCode, 422);
    const deleted = await bearer(t, 'DELETE', '/auth/delete', token, { days: 30 });
    assert.equal(deleted.statusCode, 200, deleted.body);
    const answer = json<{ scheduled: string; user: Record<string, unknown> & { project: { reference: string; display: string } } }>(
      deleted,
    );
    assert.ok(Math.abs(Date.parse(answer.scheduled) - (Date.now() + 30 * 86_400_000)) < 86_400_000);
    assert.equal(answer.user.resourceType, 'User');
    assert.equal(answer.user.firstName, 'John');
    assert.equal(answer.user.lastName, 'Doe');
    assert.equal(answer.user.email, email);
    assert.equal(answer.user.project.reference, `Project/${t.projectId}`);
    assert.ok('meta' in answer.user);
    await ovokLogin(t.app, t.clientId, email, password);
    assert.equal((await t.app.core.users.byEmail(t.projectId, email))?.deletion_scheduled_at ?? null, null);
  });

  it('admin API: off without a token, 401 on a wrong one', async () => {
    assert.equal((await noAdmin.app.inject({ method: 'GET', url: '/admin/projects', headers: admin })).statusCode, 404);
    assert.equal(
      (await t.app.inject({ method: 'GET', url: '/admin/projects', headers: { authorization: 'Bearer wrong' } })).statusCode,
      401,
    );
    assert.equal((await t.app.inject({ method: 'GET', url: '/admin/projects' })).statusCode, 401);
  });

  it('admin API: projects and clients, 404 and 422, self-registration types and token lifetime', async () => {
    const created = await t.app.inject({ method: 'POST', url: '/admin/projects', headers: admin, payload: { name: 'Clinic' } });
    assert.equal(created.statusCode, 201);
    const project = json<{ id: string; name: string }>(created);
    assert.equal(project.name, 'Clinic');
    const projects = json<Array<{ id: string }> | { projects: Array<{ id: string }> }>(
      await t.app.inject({ method: 'GET', url: '/admin/projects', headers: admin }),
    );
    const list = Array.isArray(projects) ? projects : projects.projects;
    assert.ok(list.some((p) => p.id === project.id));
    assert.equal((await t.app.inject({ method: 'POST', url: '/admin/projects', headers: admin, payload: {} })).statusCode, 422);
    const client = await t.app.inject({
      method: 'POST',
      url: `/admin/projects/${project.id}/clients`,
      headers: admin,
      payload: { name: 'App' },
    });
    assert.equal(client.statusCode, 201);
    const app = json<{ id: string; projectId: string; name: string }>(client);
    assert.equal(app.projectId, project.id);
    assert.equal(app.name, 'App');
    const clients = json<Array<{ id: string }> | { clients: Array<{ id: string }> }>(
      await t.app.inject({ method: 'GET', url: `/admin/projects/${project.id}/clients`, headers: admin }),
    );
    assert.ok((Array.isArray(clients) ? clients : clients.clients).some((c) => c.id === app.id));
    assert.equal(
      (await t.app.inject({ method: 'POST', url: `/admin/projects/${randomUUID()}/clients`, headers: admin, payload: { name: 'x' } }))
        .statusCode,
      404,
    );
    assert.equal((await t.app.inject({ method: 'GET', url: `/admin/projects/${randomUUID()}/clients`, headers: admin })).statusCode, 404);

    const refused = await t.app.inject({
      method: 'POST',
      url: '/auth/register',
      payload: { email: 'doc@example.com', password: 'password1234', clientId: app.id, name: 'D', surname: 'R', type: 'Practitioner' },
    });
    assert.equal(refused.statusCode, 422);
    const patched = await t.app.inject({
      method: 'PATCH',
      url: `/admin/projects/${project.id}`,
      headers: admin,
      payload: { selfRegisterTypes: ['Patient', 'Practitioner'], accessTokenTtlSeconds: 600 },
    });
    assert.equal(patched.statusCode, 200);
    const doc = await ovokRegister(t.app, app.id, { type: 'Practitioner' });
    assert.match(doc.tokens.profile.reference, /^Practitioner\//);
    assert.equal(doc.tokens.expiresIn, 600);
    const claims = decodeJwt(doc.tokens.accessToken);
    assert.equal((claims.exp ?? 0) - (claims.iat ?? 0), 600);
    assert.equal(
      (
        await t.app.inject({
          method: 'PATCH',
          url: `/admin/projects/${randomUUID()}`,
          headers: admin,
          payload: { accessTokenTtlSeconds: 600 },
        })
      ).statusCode,
      404,
    );

    const rotated = await t.app.inject({ method: 'POST', url: '/admin/keys/rotate', headers: admin });
    assert.ok(rotated.statusCode === 200 || rotated.statusCode === 201, rotated.body);
    const fresh = await ovokLogin(t.app, app.id, doc.email, doc.password);
    const { decodeProtectedHeader } = await import('jose');
    assert.notEqual(decodeProtectedHeader(fresh.accessToken).kid, decodeProtectedHeader(doc.tokens.accessToken).kid);
    assert.equal((await bearer(t, 'GET', '/auth/me', doc.tokens.accessToken)).statusCode, 200);
  });
});
