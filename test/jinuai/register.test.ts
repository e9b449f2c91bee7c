import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTestApp, json, type TestApp } from '../helpers/app.ts';
import { API, multipart, newUser, register, urlencoded, type PublicUser } from './helpers.ts';

/** The five fields of the seed page's cURL example, verbatim. */
const SEED = {
  name: 'Test User',
  account: 'testuser',
  email: 'user@example.com',
  password: 'yourpassword',
  password_confirm: 'yourpassword',
};

/** Every field of the seed page's 201 body, in its order. */
const PUBLIC_FIELDS = [
  'name',
  'email',
  'account',
  'id',
  'roles',
  'is_active',
  'is_verified',
  'is_superuser',
  'bio',
  'dob',
  'phone',
  'avatar_photo_id',
  'deleted_at',
  'created_at',
  'updated_at',
];

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

interface Detail {
  detail: Array<{ type: string; loc: Array<string | number>; msg: string; input: unknown; ctx?: Record<string, unknown> }>;
}

function assertSeedAnswer(body: PublicUser): void {
  assert.deepEqual(Object.keys(body), PUBLIC_FIELDS);
  assert.equal(body.name, 'Test User');
  assert.equal(body.email, 'user@example.com');
  assert.equal(body.account, 'testuser');
  assert.match(body.id, UUID);
  assert.equal(body.roles, 'user');
  assert.equal(body.is_active, true);
  assert.equal(body.is_verified, true);
  assert.equal(body.is_superuser, false);
  for (const field of ['bio', 'dob', 'phone', 'avatar_photo_id', 'deleted_at'] as const) assert.equal(body[field], null);
  assert.match(body.created_at, DATE_TIME);
  assert.match(body.updated_at, DATE_TIME);
}

describe('JinuAI register (seed page)', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(async () => t.close());

  const post = async (body: { payload: string | Buffer; headers: Record<string, string> }) =>
    t.app.inject({ method: 'POST', url: `${API}/auth/register`, ...body });

  it('answers the cURL example, sent as multipart/form-data, with exactly the documented body', async () => {
    const response = await post(await multipart(SEED));
    assert.equal(response.statusCode, 201);
    assert.match(String(response.headers['content-type']), /^application\/json/);
    assertSeedAnswer(json<PublicUser>(response));
    assert.doesNotMatch(response.body, /password|hash/i);
  });

  it('refuses the same example again: email first, then account, as 400 {"detail"}', async () => {
    const again = await post(await multipart({ ...SEED, email: 'USER@Example.com' }));
    assert.equal(again.statusCode, 400);
    assert.deepEqual(json(again), { detail: 'Email already registered' });
    const account = await post(urlencoded({ ...newUser(), account: 'TestUser' }));
    assert.equal(account.statusCode, 400);
    assert.deepEqual(json(account), { detail: 'Account name already taken' });
  });

  it('lower-cases email and account, keeps the name as typed, ignores unknown fields', async () => {
    const fields = newUser();
    const body = await register(t.app, {
      ...fields,
      email: fields.email!.toUpperCase(),
      account: fields.account!.toUpperCase(),
      name: 'Mixed Case Name',
      roles: 'admin',
      is_superuser: 'true',
      is_verified: 'false',
    });
    assert.equal(body.email, fields.email);
    assert.equal(body.account, fields.account);
    assert.equal(body.name, 'Mixed Case Name');
    assert.equal(body.roles, 'user');
    assert.equal(body.is_superuser, false);
    assert.equal(body.is_verified, true);
  });

  it('refuses mismatched passwords with 400 "Passwords do not match."', async () => {
    const response = await post(urlencoded(newUser({ password_confirm: 'something-else' })));
    assert.equal(response.statusCode, 400);
    assert.deepEqual(json(response), { detail: 'Passwords do not match.' });
  });

  it('reports every missing form field as pydantic does (input null), in field order', async () => {
    const expected = {
      detail: ['name', 'account', 'email', 'password', 'password_confirm'].map((name) => ({
        type: 'missing',
        loc: ['body', name],
        msg: 'Field required',
        input: null,
      })),
    };
    const empty = await post(await multipart({}));
    assert.equal(empty.statusCode, 422);
    assert.deepEqual(json(empty), expected);
    // FastAPI reads a form endpoint's JSON or text body as an empty form.
    const asJson = await t.app.inject({ method: 'POST', url: `${API}/auth/register`, payload: SEED });
    assert.equal(asJson.statusCode, 422);
    assert.deepEqual(json(asJson), expected);
    const asText = await post({ payload: 'name=Test User', headers: { 'content-type': 'text/plain' } });
    assert.deepEqual(json(asText), expected);
    const nothing = await t.app.inject({ method: 'POST', url: `${API}/auth/register` });
    assert.equal(nothing.statusCode, 422);
    assert.deepEqual(json(nothing), expected);
  });

  it('treats an empty form field as missing (FastAPI Form semantics)', async () => {
    const response = await post(urlencoded(newUser({ account: '' })));
    assert.equal(response.statusCode, 422);
    assert.deepEqual(json(response), { detail: [{ type: 'missing', loc: ['body', 'account'], msg: 'Field required', input: null }] });
  });

  it('checks name length 8-40, account ≤ 32 and email ≤ 255 with pydantic v2 errors', async () => {
    const long = 'x'.repeat(41);
    const response = await post(
      await multipart(newUser({ name: 'Short', account: 'a'.repeat(33), email: `${'e'.repeat(250)}@example.com` })),
    );
    assert.equal(response.statusCode, 422);
    assert.deepEqual(json<Detail>(response), {
      detail: [
        {
          type: 'string_too_short',
          loc: ['body', 'name'],
          msg: 'String should have at least 8 characters',
          input: 'Short',
          ctx: { min_length: 8 },
        },
        {
          type: 'string_too_long',
          loc: ['body', 'account'],
          msg: 'String should have at most 32 characters',
          input: 'a'.repeat(33),
          ctx: { max_length: 32 },
        },
        {
          type: 'string_too_long',
          loc: ['body', 'email'],
          msg: 'String should have at most 255 characters',
          input: `${'e'.repeat(250)}@example.com`,
          ctx: { max_length: 255 },
        },
      ],
    });
    const tooLong = await post(urlencoded(newUser({ name: long })));
    assert.deepEqual(json<Detail>(tooLong).detail, [
      {
        type: 'string_too_long',
        loc: ['body', 'name'],
        msg: 'String should have at most 40 characters',
        input: long,
        ctx: { max_length: 40 },
      },
    ]);
    // Lengths count characters, not UTF-16 units: 8 emoji are 8 characters.
    const emoji = await post(urlencoded(newUser({ name: '😀'.repeat(8) })));
    assert.equal(emoji.statusCode, 201);
  });

  it('refuses invalid emails with email_validator reasons', async () => {
    const cases: Array<[string, string]> = [
      ['not-an-email', 'An email address must have an @-sign.'],
      ['@example.com', 'There must be something before the @-sign.'],
      ['user@', 'There must be something after the @-sign.'],
      ['user@localhost', 'The part after the @-sign is not valid. It should have a period.'],
      ['us er@example.com', 'The email address contains invalid characters before the @-sign: SPACE.'],
      ['user..name@example.com', 'An email address cannot have two periods in a row.'],
      ['user@example.test', 'The part after the @-sign is a special-use or reserved name that cannot be used with email.'],
    ];
    for (const [email, reason] of cases) {
      const response = await post(urlencoded(newUser({ email })));
      assert.equal(response.statusCode, 422, email);
      assert.deepEqual(
        json<Detail>(response).detail,
        [
          {
            type: 'value_error',
            loc: ['body', 'email'],
            msg: `value is not a valid email address: ${reason}`,
            input: email,
            ctx: { reason },
          },
        ],
        email,
      );
    }
  });

  it('answers a broken multipart body with FastAPI 400, and an oversized one with 413, never a 500', async () => {
    // Starlette's words, checked against FastAPI 0.142: no boundary, and a body cut short (the fields read so far count).
    const broken = await post({ payload: 'garbage', headers: { 'content-type': 'multipart/form-data' } });
    assert.equal(broken.statusCode, 400);
    assert.deepEqual(json(broken), { detail: 'Missing boundary in multipart.' });
    const cut = await post({
      payload: '--x\r\nContent-Disposition: form-data; name="name"\r\n\r\nTest User\r\n--x\r\nContent-Disp',
      headers: { 'content-type': 'multipart/form-data; boundary=x' },
    });
    assert.equal(cut.statusCode, 422);
    assert.deepEqual(
      json<Detail>(cut).detail.map((item) => item.loc[1]),
      ['account', 'email', 'password', 'password_confirm'],
    );
    const huge = await post(urlencoded(newUser({ name: 'x'.repeat(70_000) })));
    assert.equal(huge.statusCode, 413);
    assert.equal(typeof json<{ detail: string }>(huge).detail, 'string');
  });

  it('documents the route under the jinuai tag with both form media types and an allow-listed answer', async () => {
    const spec = json<{
      paths: Record<
        string,
        Record<
          string,
          {
            tags: string[];
            requestBody: { content: Record<string, unknown> };
            responses: Record<string, { content: Record<string, { schema: { properties: Record<string, unknown> } }> }>;
          }
        >
      >;
    }>(await t.app.inject({ method: 'GET', url: '/openapi.json' }));
    const route = spec.paths['/api/v1/auth/register']?.post;
    assert.ok(route);
    assert.deepEqual(route.tags, ['jinuai']);
    assert.deepEqual(Object.keys(route.requestBody.content).sort(), ['application/x-www-form-urlencoded', 'multipart/form-data']);
    const answer = route.responses['201']?.content['application/json']?.schema.properties ?? {};
    assert.deepEqual(Object.keys(answer), PUBLIC_FIELDS);
    for (const path of [
      '/api/v1/auth/login',
      '/api/v1/auth/token',
      '/api/v1/user/whoami',
      '/api/v1/user/search',
      '/api/v1/user/{account}/lookup',
      '/api/v1/health/liveness',
    ]) {
      const operations = Object.values(spec.paths[path] ?? {});
      assert.ok(operations.length > 0, path);
      for (const operation of operations) assert.deepEqual(operation.tags, ['jinuai'], path);
    }
  });
});

describe('JinuAI register on an install without Ovok, and switched off', () => {
  it('answers the cURL example sent as application/x-www-form-urlencoded', async () => {
    const t = await createTestApp({ GATEHOUSE_CONTRACT_OVOK: 'false' });
    try {
      const response = await t.app.inject({ method: 'POST', url: `${API}/auth/register`, ...urlencoded(SEED) });
      assert.equal(response.statusCode, 201);
      assertSeedAnswer(json<PublicUser>(response));
      const ovok = await t.app.inject({ method: 'POST', url: '/auth/register', payload: {} });
      assert.equal(ovok.statusCode, 404);
    } finally {
      await t.close();
    }
  });

  it('serves nothing under /api/v1 when GATEHOUSE_CONTRACT_JINUAI=false', async () => {
    const t = await createTestApp({ GATEHOUSE_CONTRACT_JINUAI: 'false' });
    try {
      const response = await t.app.inject({ method: 'POST', url: `${API}/auth/register`, ...urlencoded(SEED) });
      assert.equal(response.statusCode, 404);
      assert.equal((await t.app.inject({ method: 'GET', url: `${API}/health/liveness` })).statusCode, 404);
    } finally {
      await t.close();
    }
  });
});
