import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { decodeJwt } from 'jose';
import { ADMIN_TOKEN, createTestApp, json, type TestApp } from '../helpers/app.ts';
import { ovokLogin, ovokRegister, uniqueEmail } from '../helpers/ovok.ts';

interface Project {
  id: string;
  name: string;
  selfRegisterTypes: string[];
  accessTokenTtlSeconds: number;
}
const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };

describe('admin API', () => {
  let t: TestApp;
  let off: TestApp;
  before(async () => {
    [t, off] = await Promise.all([createTestApp(), createTestApp({ GATEHOUSE_ADMIN_TOKEN: '' })]);
  });
  after(async () => {
    await Promise.all([t.close(), off.close()]);
  });

  it('is absent without a configured token and 401s a missing or wrong one', async () => {
    assert.equal((await off.app.inject({ method: 'GET', url: '/admin/projects', headers: admin })).statusCode, 404);
    for (const headers of [{}, { authorization: 'Bearer wrong' }, { authorization: ADMIN_TOKEN }]) {
      const response = await t.app.inject({ method: 'GET', url: '/admin/projects', headers });
      assert.equal(response.statusCode, 401);
      const body = json<{ error: string; message: string }>(response);
      assert.equal(typeof body.error, 'string');
      assert.equal(typeof body.message, 'string');
    }
  });

  it('manages projects and clients, and Ovok registration follows the project settings', async () => {
    const created = await t.app.inject({ method: 'POST', url: '/admin/projects', headers: admin, payload: { name: 'Clinic' } });
    assert.equal(created.statusCode, 201, created.body);
    const project = json<Project>(created);
    assert.equal(typeof project.id, 'string');
    assert.equal(project.name, 'Clinic');
    assert.deepEqual(project.selfRegisterTypes, ['Patient']);
    assert.equal(project.accessTokenTtlSeconds, 3600);

    const list = json<Project[]>(await t.app.inject({ method: 'GET', url: '/admin/projects', headers: admin }));
    assert.ok(list.some((p) => p.id === project.id));
    assert.ok(list.some((p) => p.id === t.projectId));

    const bad = await t.app.inject({ method: 'POST', url: '/admin/projects', headers: admin, payload: { name: 5 } });
    assert.equal(bad.statusCode, 422);
    const badBody = json<{ error: string; fields: Array<{ field: string; message: string }> }>(bad);
    assert.ok(Array.isArray(badBody.fields) && badBody.fields.length > 0, bad.body);

    const createdClient = await t.app.inject({
      method: 'POST',
      url: `/admin/projects/${project.id}/clients`,
      headers: admin,
      payload: { name: 'App' },
    });
    assert.equal(createdClient.statusCode, 201, createdClient.body);
    const client = json<{ id: string; projectId: string; name: string }>(createdClient);
    assert.equal(client.projectId, project.id);
    assert.equal(client.name, 'App');
    const clients = json<Array<{ id: string }>>(
      await t.app.inject({ method: 'GET', url: `/admin/projects/${project.id}/clients`, headers: admin }),
    );
    assert.ok(clients.some((c) => c.id === client.id));
    const unknown = randomUUID();
    assert.equal((await t.app.inject({ method: 'GET', url: `/admin/projects/${unknown}/clients`, headers: admin })).statusCode, 404);
    assert.equal(
      (await t.app.inject({ method: 'POST', url: `/admin/projects/${unknown}/clients`, headers: admin, payload: { name: 'x' } }))
        .statusCode,
      404,
    );
    assert.equal(
      (await t.app.inject({ method: 'PATCH', url: `/admin/projects/${unknown}`, headers: admin, payload: { accessTokenTtlSeconds: 600 } }))
        .statusCode,
      404,
    );

    const patient = await ovokRegister(t.app, client.id);
    assert.equal(patient.tokens.project.display, 'Clinic');
    assert.equal(patient.tokens.project.reference, `Project/${project.id}`);

    const doctor = {
      email: uniqueEmail('doc'),
      password: 'password1234',
      clientId: client.id,
      name: 'D',
      surname: 'R',
      type: 'Practitioner',
    };
    assert.equal((await t.app.inject({ method: 'POST', url: '/auth/register', payload: doctor })).statusCode, 422);
    const allowed = await t.app.inject({
      method: 'PATCH',
      url: `/admin/projects/${project.id}`,
      headers: admin,
      payload: { selfRegisterTypes: ['Patient', 'Practitioner'] },
    });
    assert.equal(allowed.statusCode, 200, allowed.body);
    assert.deepEqual(json<Project>(allowed).selfRegisterTypes, ['Patient', 'Practitioner']);
    const registered = await t.app.inject({ method: 'POST', url: '/auth/register', payload: doctor });
    assert.equal(registered.statusCode, 200, registered.body);
    assert.match(json<{ profile: { reference: string } }>(registered).profile.reference, /^Practitioner\//);

    const ttl = await t.app.inject({
      method: 'PATCH',
      url: `/admin/projects/${project.id}`,
      headers: admin,
      payload: { accessTokenTtlSeconds: 600 },
    });
    assert.equal(ttl.statusCode, 200, ttl.body);
    const login = await ovokLogin(t.app, client.id, patient.email, patient.password);
    assert.equal(login.expiresIn, 600);
    const claims = decodeJwt(login.accessToken);
    assert.equal((claims.exp ?? 0) - (claims.iat ?? 0), 600);
  });

  it('rotates signing keys', async () => {
    const response = await t.app.inject({ method: 'POST', url: '/admin/keys/rotate', headers: admin });
    assert.equal(response.statusCode, 200, response.body);
    const body = json<{ kid: string; retired: unknown[] }>(response);
    assert.equal(typeof body.kid, 'string');
    assert.ok(Array.isArray(body.retired));
    assert.equal((await t.app.inject({ method: 'POST', url: '/admin/keys/rotate' })).statusCode, 401);
  });
});
