import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTestApp, json, type TestApp } from '../helpers/app.ts';
import { uniqueEmail, type OvokTokens } from '../helpers/ovok.ts';

interface Outcome {
  resourceType: string;
  id: string;
  issue: Array<{ severity: string; code: string; expression?: string[]; details: { text: string } }>;
}

describe('Ovok register and login (seed pages)', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(async () => t.close());

  it('answers the register cURL example with exactly the documented body', async () => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/auth/register',
      headers: { 'content-type': 'application/json' },
      payload: `{
"email": "john.doe@mail.com",
"password": "password1234",
"clientId": "${t.clientId}",
"type": "Patient",
"name": "John",
"surname": "Doe"
}`,
    });
    assert.equal(response.statusCode, 200);
    const body = json<OvokTokens>(response);
    assert.deepEqual(Object.keys(body).sort(), ['accessToken', 'expiresIn', 'profile', 'project', 'refreshToken']);
    assert.equal(body.expiresIn, 3600);
    assert.deepEqual(body.project, { reference: `Project/${t.projectId}`, display: 'Default Project' });
    assert.match(body.profile.reference, /^Patient\/[0-9a-f-]{36}$/);
    assert.equal(body.profile.display, 'John Doe');
    assert.equal(body.accessToken.split('.').length, 3);
  });

  it('answers the login cURL example (posted to /auth/login) with the documented body', async () => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/auth/login',
      headers: { 'content-type': 'application/json' },
      payload: `{
"email": "john.doe@mail.com",
"password": "password1234",
"clientId": "${t.clientId}"
}`,
    });
    assert.equal(response.statusCode, 200);
    const body = json<OvokTokens>(response);
    assert.equal(body.expiresIn, 3600);
    assert.equal(body.profile.display, 'John Doe');
    assert.deepEqual(body.project, { reference: `Project/${t.projectId}`, display: 'Default Project' });
  });

  it('compares emails case-insensitively and refuses a second registration with a clear 400', async () => {
    const login = await t.app.inject({
      method: 'POST',
      url: '/v2/auth/login',
      payload: { email: 'JOHN.DOE@mail.com', password: 'password1234', clientId: t.clientId },
    });
    assert.equal(login.statusCode, 200);
    const again = await t.app.inject({
      method: 'POST',
      url: '/auth/register',
      payload: { email: 'John.Doe@Mail.com', password: 'password1234', clientId: t.clientId, name: 'J', surname: 'D' },
    });
    assert.equal(again.statusCode, 400);
    const outcome = json<Outcome>(again);
    assert.equal(outcome.resourceType, 'OperationOutcome');
    assert.deepEqual(outcome.issue[0]?.expression, ['email']);
    assert.match(again.headers['content-type'] as string, /application\/fhir\+json/);
  });

  it('gives unknown email and wrong password the same 401 body', async () => {
    const wrong = await t.app.inject({
      method: 'POST',
      url: '/v2/auth/login',
      payload: { email: 'john.doe@mail.com', password: 'nope-nope-nope', clientId: t.clientId },
    });
    const unknown = await t.app.inject({
      method: 'POST',
      url: '/v2/auth/login',
      payload: { email: uniqueEmail(), password: 'nope-nope-nope', clientId: t.clientId },
    });
    assert.equal(wrong.statusCode, 401);
    assert.equal(unknown.statusCode, 401);
    const strip = (body: Outcome) => ({ ...body, id: '' });
    assert.deepEqual(strip(json<Outcome>(wrong)), strip(json<Outcome>(unknown)));
  });

  it('returns 404 for a clientId that names no client application', async () => {
    for (const clientId of ['5e505642-9024-474d-9434-e5a44f505cc5', 'not-a-uuid']) {
      const response = await t.app.inject({
        method: 'POST',
        url: '/v2/auth/login',
        payload: { email: 'a@b.co', password: 'password1234', clientId },
      });
      assert.equal(response.statusCode, 404);
      assert.equal(json<Outcome>(response).issue[0]?.code, 'not-found');
    }
  });

  it('returns 422 naming each invalid field', async () => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/auth/register',
      payload: { email: 'not-an-email', password: 'short', clientId: t.clientId, name: 42 },
    });
    assert.equal(response.statusCode, 422);
    const fields = json<Outcome>(response)
      .issue.map((issue) => issue.expression?.[0])
      .sort();
    assert.deepEqual(fields, ['email', 'name', 'password', 'surname']);
  });

  it('returns 400 for malformed JSON and never a stack trace', async () => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/auth/register',
      headers: { 'content-type': 'application/json' },
      payload: '{"email": ',
    });
    assert.equal(response.statusCode, 400);
    assert.equal(json<Outcome>(response).resourceType, 'OperationOutcome');
    assert.doesNotMatch(response.body, /at .*\.ts|stack/i);
  });

  it('treats an absent type as Patient and refuses a type the project does not allow with 422', async () => {
    const absent = await t.app.inject({
      method: 'POST',
      url: '/auth/register',
      payload: { email: uniqueEmail(), password: 'password1234', clientId: t.clientId, name: 'A', surname: 'B' },
    });
    assert.equal(absent.statusCode, 200);
    assert.match(json<OvokTokens>(absent).profile.reference, /^Patient\//);
    const practitioner = await t.app.inject({
      method: 'POST',
      url: '/auth/register',
      payload: { email: uniqueEmail(), password: 'password1234', clientId: t.clientId, name: 'A', surname: 'B', type: 'Practitioner' },
    });
    assert.equal(practitioner.statusCode, 422);
    assert.deepEqual(json<Outcome>(practitioner).issue[0]?.expression, ['type']);
  });
});
