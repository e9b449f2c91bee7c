import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTestApp, json, type TestApp } from '../helpers/app.ts';
import { ovokLogin, ovokRegister } from '../helpers/ovok.ts';
import { API, bearer, login, multipart, newUser, register, signedIn, urlencoded, type PublicUser, type Tokens } from './helpers.ts';

interface Detail {
  detail: Array<{ type: string; loc: Array<string | number>; msg: string; input: unknown; ctx?: Record<string, unknown> }>;
}

describe('JinuAI login and tokens', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(async () => t.close());

  it('logs in with JSON {email, password} (email case-insensitive) → {access_token, refresh_token, token_type}', async () => {
    const fields = newUser();
    await register(t.app, fields);
    const response = await t.app.inject({
      method: 'POST',
      url: `${API}/auth/login`,
      payload: { email: fields.email!.toUpperCase(), password: 'yourpassword' },
    });
    assert.equal(response.statusCode, 200);
    const body = json<Tokens>(response);
    assert.deepEqual(Object.keys(body), ['access_token', 'refresh_token', 'token_type']);
    assert.equal(body.token_type, 'bearer');
    assert.match(body.refresh_token, /^ghr_/);
    const me = await t.app.inject({ method: 'GET', url: `${API}/user/whoami`, headers: bearer(body.access_token) });
    assert.equal(me.statusCode, 200);
    assert.equal(json<PublicUser>(me).email, fields.email);
  });

  it('logs in with the OAuth2 password form (urlencoded and multipart), as Swagger UI does', async () => {
    const fields = newUser();
    await register(t.app, fields);
    const form = { grant_type: 'password', username: fields.email!, password: 'yourpassword' };
    for (const body of [urlencoded(form), await multipart(form), urlencoded({ username: fields.email!, password: 'yourpassword' })]) {
      const response = await t.app.inject({ method: 'POST', url: `${API}/auth/login`, ...body });
      assert.equal(response.statusCode, 200);
      assert.equal(json<Tokens>(response).token_type, 'bearer');
    }
    const wrongGrant = await t.app.inject({
      method: 'POST',
      url: `${API}/auth/login`,
      ...urlencoded({ ...form, grant_type: 'client_credentials' }),
    });
    assert.equal(wrongGrant.statusCode, 422);
    assert.deepEqual(json<Detail>(wrongGrant).detail, [
      {
        type: 'string_pattern_mismatch',
        loc: ['body', 'grant_type'],
        msg: "String should match pattern '^password$'",
        input: 'client_credentials',
        ctx: { pattern: '^password$' },
      },
    ]);
    const noUser = await t.app.inject({ method: 'POST', url: `${API}/auth/login`, ...urlencoded({ password: 'x' }) });
    assert.deepEqual(json<Detail>(noUser).detail, [{ type: 'missing', loc: ['body', 'username'], msg: 'Field required', input: null }]);
  });

  it('gives a wrong password and an unknown email the same 401 with WWW-Authenticate: Bearer', async () => {
    const fields = newUser();
    await register(t.app, fields);
    const wrong = await t.app.inject({
      method: 'POST',
      url: `${API}/auth/login`,
      payload: { email: fields.email, password: 'not-the-password' },
    });
    const unknown = await t.app.inject({
      method: 'POST',
      url: `${API}/auth/login`,
      payload: { email: 'nobody@example.com', password: 'not-the-password' },
    });
    for (const response of [wrong, unknown]) {
      assert.equal(response.statusCode, 401);
      assert.deepEqual(json(response), { detail: 'Incorrect email or password' });
      assert.equal(response.headers['www-authenticate'], 'Bearer');
    }
  });

  it('reports JSON body errors as FastAPI does: missing fields (input = body), not an object, empty, undecodable', async () => {
    const post = (payload: string, contentType = 'application/json') =>
      t.app.inject({ method: 'POST', url: `${API}/auth/login`, payload, headers: { 'content-type': contentType } });
    assert.deepEqual(json(await post('{"email": "a@example.com"}')), {
      detail: [{ type: 'missing', loc: ['body', 'password'], msg: 'Field required', input: { email: 'a@example.com' } }],
    });
    assert.deepEqual(json(await post('{"email": 1, "password": "x"}')), {
      detail: [{ type: 'string_type', loc: ['body', 'email'], msg: 'Input should be a valid string', input: 1 }],
    });
    assert.deepEqual(json(await post('[1]')), {
      detail: [
        {
          type: 'model_attributes_type',
          loc: ['body'],
          msg: 'Input should be a valid dictionary or object to extract fields from',
          input: [1],
        },
      ],
    });
    assert.deepEqual(json(await post('')), { detail: [{ type: 'missing', loc: ['body'], msg: 'Field required', input: null }] });
    const malformed: Array<[string, number, string]> = [
      ['{"email": "x",', 14, 'Expecting property name enclosed in double quotes'],
      ['{"email" "x"}', 9, "Expecting ':' delimiter"],
      ['{"email": "x" "password": "y"}', 14, "Expecting ',' delimiter"],
      ['{"email": }', 10, 'Expecting value'],
      ['nul', 0, 'Expecting value'],
      ['{} x', 3, 'Extra data'],
      ['{"email": "abc', 10, 'Unterminated string starting at'],
      ['{"é": "\\x"}', 7, 'Invalid \\escape'],
    ];
    for (const [text, pos, error] of malformed) {
      const response = await post(text);
      assert.equal(response.statusCode, 422, text);
      assert.deepEqual(
        json(response),
        { detail: [{ type: 'json_invalid', loc: ['body', pos], msg: 'JSON decode error', input: {}, ctx: { error } }] },
        text,
      );
    }
    // A JSON endpoint reads any other media type as raw bytes, which are not an object.
    assert.deepEqual(json(await post('email=x', 'text/plain')), {
      detail: [
        {
          type: 'model_attributes_type',
          loc: ['body'],
          msg: 'Input should be a valid dictionary or object to extract fields from',
          input: 'email=x',
        },
      ],
    });
    const notUtf8 = await t.app.inject({
      method: 'POST',
      url: `${API}/auth/token`,
      payload: Buffer.from([0x7b, 0xff, 0x7d]),
      headers: { 'content-type': 'application/json' },
    });
    assert.equal(notUtf8.statusCode, 400);
    assert.deepEqual(json(notUtf8), { detail: 'There was an error parsing the body' });
    const huge = await post(JSON.stringify({ email: 'a@example.com', password: 'x'.repeat(70_000) }));
    assert.equal(huge.statusCode, 413);
  });

  it('rotates the refresh token on /auth/token and returns the new one; spent or bogus tokens are 401', async () => {
    const { tokens } = await signedIn(t.app);
    const response = await t.app.inject({ method: 'POST', url: `${API}/auth/token`, payload: { refresh_token: tokens.refresh_token } });
    assert.equal(response.statusCode, 200);
    const refreshed = json<{ access_token: string; token_type: string; refresh_token: string }>(response);
    assert.deepEqual(Object.keys(refreshed).sort(), ['access_token', 'refresh_token', 'token_type']);
    assert.equal(refreshed.token_type, 'bearer');
    assert.notEqual(refreshed.refresh_token, tokens.refresh_token);
    assert.equal(
      (await t.app.inject({ method: 'GET', url: `${API}/user/whoami`, headers: bearer(refreshed.access_token) })).statusCode,
      200,
    );
    const next = await t.app.inject({ method: 'POST', url: `${API}/auth/token`, payload: { refresh_token: refreshed.refresh_token } });
    assert.equal(next.statusCode, 200);
    for (const bogus of ['ghr_not-a-real-token', 'nonsense']) {
      const bad = await t.app.inject({ method: 'POST', url: `${API}/auth/token`, payload: { refresh_token: bogus } });
      assert.equal(bad.statusCode, 401);
      assert.deepEqual(json(bad), { detail: 'Invalid refresh token' });
    }
    const missing = await t.app.inject({ method: 'POST', url: `${API}/auth/token`, payload: {} });
    assert.deepEqual(json(missing), { detail: [{ type: 'missing', loc: ['body', 'refresh_token'], msg: 'Field required', input: {} }] });
  });

  it('never accepts a refresh token as an access token (JinuAI flaw not copied)', async () => {
    const { tokens } = await signedIn(t.app);
    const response = await t.app.inject({ method: 'GET', url: `${API}/user/whoami`, headers: bearer(tokens.refresh_token) });
    assert.equal(response.statusCode, 401);
    assert.deepEqual(json(response), { detail: 'Could not validate credentials' });
    assert.equal(response.headers['www-authenticate'], 'Bearer');
  });

  it('answers a missing or non-bearer Authorization header with 401 "Not authenticated"', async () => {
    for (const headers of [{}, { authorization: 'Basic dXNlcjpwYXNz' }, { authorization: 'Bearer' }]) {
      const response = await t.app.inject({ method: 'GET', url: `${API}/user/whoami`, headers });
      assert.equal(response.statusCode, 401);
      assert.deepEqual(json(response), { detail: 'Not authenticated' });
      assert.equal(response.headers['www-authenticate'], 'Bearer');
    }
  });
});

describe('JinuAI user endpoints', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(async () => t.close());

  it('whoami answers the public user', async () => {
    const { user, tokens } = await signedIn(t.app);
    const response = await t.app.inject({ method: 'GET', url: `${API}/user/whoami`, headers: bearer(tokens.access_token) });
    const body = json<PublicUser>(response);
    assert.deepEqual({ ...body, updated_at: '' }, { ...user, updated_at: '' });
  });

  it('updates only the fields sent; null clears; values are validated like pydantic', async () => {
    const { tokens } = await signedIn(t.app);
    const update = (payload: unknown) =>
      t.app.inject({
        method: 'POST',
        url: `${API}/user/update`,
        payload: payload as Record<string, unknown>,
        headers: bearer(tokens.access_token),
      });
    const first = await update({
      bio: 'Hello there',
      dob: '1990-02-28',
      phone: '+15551234567',
      avatar_photo_id: '3C90C3CC0D444B5088888DD25736052A',
      name: 'New Full Name',
    });
    assert.equal(first.statusCode, 200);
    const body = json<PublicUser>(first);
    assert.equal(body.bio, 'Hello there');
    assert.equal(body.dob, '1990-02-28');
    assert.equal(body.phone, '+15551234567');
    assert.equal(body.avatar_photo_id, '3c90c3cc-0d44-4b50-8888-8dd25736052a');
    assert.equal(body.name, 'New Full Name');
    const second = json<PublicUser>(await update({ phone: null }));
    assert.equal(second.phone, null);
    assert.equal(second.bio, 'Hello there');

    const invalid = await update({
      name: 'short',
      bio: 'b'.repeat(201),
      dob: '1990-13-01',
      phone: '1'.repeat(21),
      avatar_photo_id: 'nope',
    });
    assert.equal(invalid.statusCode, 422);
    assert.deepEqual(json<Detail>(invalid).detail, [
      {
        type: 'string_too_short',
        loc: ['body', 'name'],
        msg: 'String should have at least 8 characters',
        input: 'short',
        ctx: { min_length: 8 },
      },
      {
        type: 'string_too_long',
        loc: ['body', 'bio'],
        msg: 'String should have at most 200 characters',
        input: 'b'.repeat(201),
        ctx: { max_length: 200 },
      },
      {
        type: 'date_from_datetime_parsing',
        loc: ['body', 'dob'],
        msg: 'Input should be a valid date or datetime, month value is outside expected range of 1-12',
        input: '1990-13-01',
        ctx: { error: 'month value is outside expected range of 1-12' },
      },
      {
        type: 'string_too_long',
        loc: ['body', 'phone'],
        msg: 'String should have at most 20 characters',
        input: '1'.repeat(21),
        ctx: { max_length: 20 },
      },
      {
        type: 'uuid_parsing',
        loc: ['body', 'avatar_photo_id'],
        msg: 'Input should be a valid UUID, invalid character: found `n` at 1',
        input: 'nope',
        ctx: { error: 'invalid character: found `n` at 1' },
      },
    ]);
    const unauthenticated = await t.app.inject({ method: 'POST', url: `${API}/user/update`, payload: { bio: 'x' } });
    assert.equal(unauthenticated.statusCode, 401);
  });

  it('changes the account handle (lower-cased) and refuses one another user holds', async () => {
    const other = await signedIn(t.app);
    const { tokens, fields } = await signedIn(t.app);
    const update = (account: string) =>
      t.app.inject({ method: 'POST', url: `${API}/user/update`, payload: { account }, headers: bearer(tokens.access_token) });
    const taken = await update(other.fields.account!.toUpperCase());
    assert.equal(taken.statusCode, 400);
    assert.deepEqual(json(taken), { detail: 'Account name already taken' });
    const mine = await update(fields.account!.toUpperCase());
    assert.equal(mine.statusCode, 200);
    const renamed = json<PublicUser>(await update(`New${fields.account!.slice(0, 20)}`));
    assert.equal(renamed.account, `new${fields.account!.slice(0, 20)}`);
    assert.equal((await t.app.inject({ method: 'GET', url: `${API}/user/${renamed.account!}/lookup` })).statusCode, 200);
  });

  it('schedules deletion (202, 7 days, signed out everywhere) and recovers with credentials or a bearer token', async () => {
    const { tokens, fields } = await signedIn(t.app);
    const deleted = await t.app.inject({ method: 'POST', url: `${API}/user/delete`, headers: bearer(tokens.access_token) });
    assert.equal(deleted.statusCode, 202);
    assert.deepEqual(json(deleted), { message: 'SCHEDULED_FOR_DELETION' });
    assert.equal((await t.app.inject({ method: 'GET', url: `${API}/user/whoami`, headers: bearer(tokens.access_token) })).statusCode, 401);
    const expected = new Date(Date.now() + 7 * 24 * 3600 * 1000).toISOString().slice(0, 10);
    const looked = json<PublicUser>(await t.app.inject({ method: 'GET', url: `${API}/user/${fields.account!}/lookup` }));
    assert.equal(looked.deleted_at, expected);

    const noCredentials = await t.app.inject({ method: 'POST', url: `${API}/user/recover` });
    assert.equal(noCredentials.statusCode, 401);
    assert.deepEqual(json(noCredentials), { detail: 'Not authenticated' });
    const wrong = await t.app.inject({
      method: 'POST',
      url: `${API}/user/recover`,
      payload: { email: fields.email, password: 'wrong-password' },
    });
    assert.equal(wrong.statusCode, 401);
    assert.deepEqual(json(wrong), { detail: 'Incorrect email or password' });
    const recovered = await t.app.inject({
      method: 'POST',
      url: `${API}/user/recover`,
      payload: { email: fields.email, password: 'yourpassword' },
    });
    assert.equal(recovered.statusCode, 200);
    assert.equal(json<PublicUser>(recovered).deleted_at, null);

    // With a live session instead of credentials (idempotent when nothing is scheduled).
    const fresh = await login(t.app, fields.email!);
    const viaBearer = await t.app.inject({ method: 'POST', url: `${API}/user/recover`, headers: bearer(fresh.access_token) });
    assert.equal(viaBearer.statusCode, 200);
    assert.equal(json<PublicUser>(viaBearer).deleted_at, null);
  });

  it('looks users up by account handle, case-insensitively; unknown is 404 "User not found"', async () => {
    const { user, fields } = await signedIn(t.app);
    const found = await t.app.inject({ method: 'GET', url: `${API}/user/${fields.account!.toUpperCase()}/lookup` });
    assert.equal(found.statusCode, 200);
    assert.equal(json<PublicUser>(found).id, user.id);
    const missing = await t.app.inject({ method: 'GET', url: `${API}/user/no-such-handle/lookup` });
    assert.equal(missing.statusCode, 404);
    assert.deepEqual(json(missing), { detail: 'User not found' });
  });

  it('searches by prefix of account, email or name, a bounded page at a time, signed-in only', async () => {
    const tag = `srch${Date.now().toString(36)}`;
    const people = [];
    for (let i = 0; i < 3; i += 1)
      people.push(await signedIn(t.app, { account: `${tag}${i}`, email: `${tag}.${i}@example.com`, name: `Searchable Person ${i}` }));
    const token = people[0]!.tokens.access_token;
    const search = (query: string) => t.app.inject({ method: 'GET', url: `${API}/user/search?${query}`, headers: bearer(token) });

    const all = json<{ data: PublicUser[]; count: number }>(await search(`q=${tag.toUpperCase()}`));
    assert.equal(all.count, 3);
    assert.deepEqual(all.data.map((user) => user.account).sort(), [`${tag}0`, `${tag}1`, `${tag}2`]);
    const page = json<{ data: PublicUser[]; count: number }>(await search(`q=${tag}&skip=1&limit=1`));
    assert.equal(page.count, 3);
    assert.equal(page.data.length, 1);
    assert.equal(json<{ count: number }>(await search(`q=${tag}.1@`)).count, 1);
    assert.ok(json<{ count: number }>(await search('q=searchable%20person')).count >= 3);
    // LIKE wildcards in q match themselves.
    assert.equal(json<{ count: number }>(await search('q=%25')).count, 0);

    const tooMany = await search(`q=${tag}&limit=101`);
    assert.equal(tooMany.statusCode, 422);
    assert.deepEqual(json<Detail>(tooMany).detail, [
      {
        type: 'less_than_equal',
        loc: ['query', 'limit'],
        msg: 'Input should be less than or equal to 100',
        input: '101',
        ctx: { le: 100 },
      },
    ]);
    assert.deepEqual(json<Detail>(await search('skip=x')).detail, [
      { type: 'missing', loc: ['query', 'q'], msg: 'Field required', input: null },
      {
        type: 'int_parsing',
        loc: ['query', 'skip'],
        msg: 'Input should be a valid integer, unable to parse string as an integer',
        input: 'x',
      },
    ]);
    const anonymous = await t.app.inject({ method: 'GET', url: `${API}/user/search?q=${tag}` });
    assert.equal(anonymous.statusCode, 401);
  });

  it('answers the health probes with 204 and no body', async () => {
    for (const probe of ['liveness', 'readiness']) {
      const response = await t.app.inject({ method: 'GET', url: `${API}/health/${probe}` });
      assert.equal(response.statusCode, 204);
      assert.equal(response.body, '');
    }
    const unknown = await t.app.inject({ method: 'GET', url: `${API}/nothing-here` });
    assert.equal(unknown.statusCode, 404);
    assert.deepEqual(json(unknown), { detail: 'Not Found' });
    const wrongMethod = await t.app.inject({ method: 'GET', url: `${API}/auth/login` });
    assert.equal(wrongMethod.statusCode, 405);
    assert.equal(wrongMethod.headers.allow, 'POST');
    assert.deepEqual(json(wrongMethod), { detail: 'Method Not Allowed' });
    // The form parsers live in the JinuAI scope only: Ovok still refuses a form body in its own format.
    const ovok = await t.app.inject({ method: 'POST', url: '/auth/register', ...urlencoded({ email: 'a@example.com' }) });
    assert.equal(ovok.statusCode, 415);
    assert.equal(json<{ resourceType: string }>(ovok).resourceType, 'OperationOutcome');
  });
});

describe('JinuAI across contracts', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(async () => t.close());

  it("logs in a user registered through Ovok, and each contract accepts the other one's tokens", async () => {
    const { email, password, tokens: ovok } = await ovokRegister(t.app, t.clientId);
    const jinu = await login(t.app, email, password);
    const me = await t.app.inject({ method: 'GET', url: `${API}/user/whoami`, headers: bearer(jinu.access_token) });
    assert.equal(me.statusCode, 200);
    const user = json<PublicUser>(me);
    assert.equal(user.name, 'John Doe');
    assert.equal(user.account, null);
    assert.equal(user.email, email);
    assert.equal((await t.app.inject({ method: 'GET', url: `${API}/user/whoami`, headers: bearer(ovok.accessToken) })).statusCode, 200);
    const ovokMe = await t.app.inject({ method: 'GET', url: '/auth/me', headers: bearer(jinu.access_token) });
    assert.equal(ovokMe.statusCode, 200);
    assert.equal(json<{ membership: { user: { display: string } } }>(ovokMe).membership.user.display, email);
  });

  it('lets a user registered here log in through Ovok', async () => {
    const fields = newUser();
    await register(t.app, fields);
    const ovok = await ovokLogin(t.app, t.clientId, fields.email!, fields.password!);
    const me = await t.app.inject({ method: 'GET', url: '/auth/me', headers: bearer(ovok.accessToken) });
    assert.equal(me.statusCode, 200);
  });

  it('refuses a token issued for another project', async () => {
    const project = await t.app.core.projects.create({ name: 'Elsewhere' });
    const client = await t.app.core.projects.createClient(project.id, 'Elsewhere app');
    const { tokens } = await ovokRegister(t.app, client.id);
    const response = await t.app.inject({ method: 'GET', url: `${API}/user/whoami`, headers: bearer(tokens.accessToken) });
    assert.equal(response.statusCode, 401);
    assert.deepEqual(json(response), { detail: 'Could not validate credentials' });
    const refresh = await t.app.inject({ method: 'POST', url: `${API}/auth/token`, payload: { refresh_token: tokens.refreshToken } });
    assert.equal(refresh.statusCode, 401);
  });
});
