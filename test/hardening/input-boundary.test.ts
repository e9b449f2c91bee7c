import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { ErrorCode, GatehouseError } from '../../src/core/errors.ts';
import { validateUser } from '../../src/core/import/canonical.ts';
import { ADMIN_TOKEN, createTestApp, json, type TestApp } from '../helpers/app.ts';
import { uniqueEmail } from '../helpers/ovok.ts';
import { multipart, newUser, urlencoded } from '../jinuai/helpers.ts';
import { CookieJar, hiddenField, startProvider, submit } from '../oidc/helpers.ts';

// Issue 12 point 1: one input boundary (src/http/input-boundary.ts, text-rules.ts) for every
// contract, and db/text-guard.ts behind it.

const PASSWORD = 'Corr3ct-Horse-Battery-Staple';
const ADMIN = { authorization: `Bearer ${ADMIN_TOKEN}` };

/** What a single-line field refuses: NUL, C0 and C1 controls, bidi overrides and isolates, a lone surrogate. */
const HOSTILE: ReadonlyArray<[string, string]> = [
  ['NUL', 'Alice Li\u0000ddell'],
  ['C0 BEL', 'Alice Li\u0007ddell'],
  ['C0 newline', 'Alice\nLiddell'],
  ['DEL', 'Alice Li\u007Fddell'],
  ['C1 NEL', 'Alice Li\u0085ddell'],
  ['RLO override', 'Alice\u202Egnp.exe'],
  ['LRI isolate', 'Alice Liddell\u2066x\u2069'],
  ['lone high surrogate', 'Alice Li\uD800ddell'],
  ['lone low surrogate', 'Alice Li\uDC00ddell'],
];

/** Valid text of many scripts, kept byte for byte. */
const NAMES: readonly string[] = [
  'محمد عبد الله', // Arabic
  '山田 太郎', // CJK
  '김민준', // Hangul
  'देवनागरी क्षत्रिय', // Devanagari with virama and vowel signs (combining marks)
  'Zoë Ångström', // precomposed Latin
  'Zoe\u0308 A\u030Angstro\u0308m', // decomposed: combining diaeresis and ring above
  '👩🏽‍💻 Ada 👨‍👩‍👧‍👦', // emoji with skin tone and ZWJ sequences
  '𝔊𝔞𝔱𝔢 𠜎𠜱', // astral: mathematical Fraktur and CJK extension B
  'Ελληνικά Русский עברית', // Greek, Cyrillic, Hebrew (right-to-left without override characters)
  'O’Brien‐Smith', // typographic apostrophe and hyphen
];

let t: TestApp;
before(async () => {
  t = await createTestApp();
});
after(async () => t.close());

async function storedBytes(email: string): Promise<{ first: string; last: string }> {
  const result = await sql<{ first: string; last: string }>`
    SELECT encode(convert_to(first_name, 'UTF8'), 'hex') AS first, encode(convert_to(last_name, 'UTF8'), 'hex') AS last
    FROM users WHERE email = ${email.toLowerCase()}`.execute(t.app.core.database.db);
  const row = result.rows[0];
  assert.ok(row, `no user ${email}`);
  return row;
}

const hex = (text: string): string => Buffer.from(text, 'utf8').toString('hex');

describe('Ovok: FHIR OperationOutcome 422 naming the field', () => {
  const register = (body: Record<string, unknown>) =>
    t.app.inject({
      method: 'POST',
      url: '/auth/register',
      payload: { email: uniqueEmail('ovok'), password: PASSWORD, clientId: t.clientId, name: 'Ada', surname: 'Lovelace', ...body },
    });

  for (const field of ['name', 'surname']) {
    for (const [label, value] of HOSTILE) {
      test(`${label} in ${field}`, async () => {
        const response = await register({ [field]: value });
        assert.equal(response.statusCode, 422, response.body);
        assert.match(String(response.headers['content-type']), /^application\/fhir\+json/);
        const outcome = json<{ resourceType: string; issue: { expression?: string[]; details: { text: string } }[] }>(response);
        assert.equal(outcome.resourceType, 'OperationOutcome');
        assert.deepEqual(outcome.issue[0]?.expression, [field]);
        assert.match(outcome.issue[0]?.details.text ?? '', new RegExp(`^${field} must`));
      });
    }
  }

  test('NUL in a password is refused too; a tab and a bidi character in a password are kept (multi-line rule)', async () => {
    const nul = await register({ password: `${PASSWORD}\u0000` });
    assert.equal(nul.statusCode, 422);
    assert.deepEqual(json<{ issue: { expression?: string[] }[] }>(nul).issue[0]?.expression, ['password']);
    const email = uniqueEmail('ovok-tab');
    const password = `${PASSWORD}\t\u202E`;
    assert.equal((await register({ email, password })).statusCode, 200);
    const login = await t.app.inject({ method: 'POST', url: '/v2/auth/login', payload: { email, password, clientId: t.clientId } });
    assert.equal(login.statusCode, 200, login.body);
  });

  test('NUL in the sign-in email is a 422, not a 500', async () => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/v2/auth/login',
      payload: { email: 'a\u0000b@example.com', password: PASSWORD, clientId: t.clientId },
    });
    assert.equal(response.statusCode, 422, response.body);
  });
});

describe('PixelMover: Laravel {message, errors} 422 naming the field', () => {
  const register = (body: Record<string, unknown>) =>
    t.app.inject({
      method: 'POST',
      url: '/v1/auth/register',
      payload: { name: 'Ada', email: uniqueEmail('pm'), password: PASSWORD, password_confirmation: PASSWORD, ...body },
    });

  for (const field of ['name', 'company', 'timezone', 'email']) {
    for (const [label, value] of HOSTILE) {
      test(`${label} in ${field}`, async () => {
        const response = await register({ [field]: field === 'email' ? `x${value}@example.com` : value });
        assert.equal(response.statusCode, 422, response.body);
        const body = json<{ message: string; errors: Record<string, string[]> }>(response);
        assert.deepEqual(Object.keys(body.errors), [field]);
        assert.match(body.message, new RegExp(`^The ${field} field must`));
      });
    }
  }
});

describe('JinuAI: FastAPI {detail: [{loc, msg, type}]} 422 naming the field', () => {
  // A lone surrogate has no form encoding (URLSearchParams sends U+FFFD): the JSON tests below cover it.
  for (const [label, value] of HOSTILE.filter(([label]) => !label.includes('surrogate'))) {
    test(`${label} in name (form encoded register)`, async () => {
      const response = await t.app.inject({ method: 'POST', url: '/api/v1/auth/register', ...urlencoded(newUser({ name: value })) });
      assert.equal(response.statusCode, 422, response.body);
      const item = json<{ detail: { loc: unknown[]; type: string; msg: string }[] }>(response).detail[0];
      assert.deepEqual(item?.loc, ['body', 'name']);
      assert.equal(item?.type, 'value_error');
    });
  }

  test('NUL in the login email (JSON) and in a multipart register field', async () => {
    const login = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: 'a\u0000b@example.com', password: PASSWORD },
    });
    assert.equal(login.statusCode, 422, login.body);
    assert.deepEqual(json<{ detail: { loc: unknown[] }[] }>(login).detail[0]?.loc, ['body', 'email']);
    const form = await multipart(newUser({ account: 'acc\u0000x' }));
    const register = await t.app.inject({ method: 'POST', url: '/api/v1/auth/register', ...form });
    assert.equal(register.statusCode, 422, register.body);
    assert.deepEqual(json<{ detail: { loc: unknown[] }[] }>(register).detail[0]?.loc, ['body', 'account']);
  });

  test('a control character in a path parameter names the path', async () => {
    const response = await t.app.inject({ method: 'POST', url: `/api/v1/password-recovery/${encodeURIComponent('a\u0001@example.com')}` });
    assert.equal(response.statusCode, 422, response.body);
    assert.deepEqual(json<{ detail: { loc: unknown[] }[] }>(response).detail[0]?.loc, ['path', 'email']);
  });
});

describe('admin API: {error, message, fields} 422 naming the field', () => {
  test('NUL and bidi in a project name, NUL in a settings value and in a query parameter', async () => {
    for (const name of ['p\u0000', 'p\u202E', 'p\u0085']) {
      const response = await t.app.inject({ method: 'POST', url: '/admin/projects', headers: ADMIN, payload: { name } });
      assert.equal(response.statusCode, 422, response.body);
      const body = json<{ error: string; fields: { field: string }[] }>(response);
      assert.equal(body.error, ErrorCode.Validation);
      assert.equal(body.fields[0]?.field, 'name');
    }
    const settings = await t.app.inject({
      method: 'POST',
      url: '/admin/projects',
      headers: ADMIN,
      payload: { name: 'p', settings: { branding: { footer: 'a\u0000' } } },
    });
    assert.equal(settings.statusCode, 422, settings.body);
    assert.equal(json<{ fields: { field: string }[] }>(settings).fields[0]?.field, 'settings.branding.footer');
    // The walk has no recursion: a NUL 5,000 levels down is found, and the stack does not overflow.
    const deep = await t.app.inject({
      method: 'POST',
      url: '/admin/projects',
      headers: { ...ADMIN, 'content-type': 'application/json' },
      payload: `{"name":"p","settings":${'{"a":'.repeat(5000)}"x\\u0000"${'}'.repeat(5000)}}`,
    });
    assert.equal(deep.statusCode, 422, deep.body.slice(0, 300));
    assert.match(json<{ fields: { field: string }[] }>(deep).fields[0]?.field ?? '', /^settings(\.a){5000}$/);
    const query = await t.app.inject({ method: 'GET', url: `/admin/users?email=${encodeURIComponent('a\u0000')}`, headers: ADMIN });
    assert.equal(query.statusCode, 422, query.body);
  });
});

describe('valid text of any script is stored and answered byte for byte', () => {
  test('Ovok name and surname', async () => {
    for (const name of NAMES) {
      const email = uniqueEmail('ovok-script');
      const response = await t.app.inject({
        method: 'POST',
        url: '/auth/register',
        payload: { email, password: PASSWORD, clientId: t.clientId, name, surname: [...name].reverse().join('') },
      });
      assert.equal(response.statusCode, 200, `${name}: ${response.body}`);
      const stored = await storedBytes(email);
      assert.equal(stored.first, hex(name), name);
      assert.equal(stored.last, hex([...name].reverse().join('')), name);
      const me = await t.app.inject({
        method: 'GET',
        url: '/auth/me',
        headers: { authorization: `Bearer ${json<{ accessToken: string }>(response).accessToken}` },
      });
      assert.ok(me.body.includes(JSON.stringify(name).slice(1, -1)), `${name} in ${me.body}`);
    }
  });

  test('PixelMover name and company; JinuAI name (urlencoded and multipart)', async () => {
    for (const name of NAMES) {
      const email = uniqueEmail('pm-script');
      const response = await t.app.inject({
        method: 'POST',
        url: '/v1/auth/register',
        payload: { name, company: name, email, password: PASSWORD, password_confirmation: PASSWORD },
      });
      assert.equal(response.statusCode, 201, `${name}: ${response.body}`);
      assert.equal(json<{ data: { user: { name: string; company: string } } }>(response).data.user.name, name.trim());
      assert.equal((await storedBytes(email)).first, hex(name));
    }
    for (const [index, script] of NAMES.entries()) {
      // JinuAI names have at least 8 characters.
      const name = `${script} Jinu Tester`;
      const user = newUser({ name });
      // The register endpoint reads forms: urlencoded and multipart in turn.
      const body = index % 2 === 0 ? urlencoded(user) : await multipart(user);
      const response = await t.app.inject({ method: 'POST', url: '/api/v1/auth/register', ...body });
      assert.equal(response.statusCode, 201, `${name}: ${response.body}`);
      assert.equal(json<{ name: string }>(response).name, name);
      assert.equal((await storedBytes(String(user.email))).first, hex(name));
    }
  });
});

describe('bodies that are not valid Unicode: 400 or 422, never 500', () => {
  const invalid = Buffer.from([0x22, 0xff, 0xfe, 0xc3, 0x28, 0xed, 0xa0, 0x80, 0x22]); // "…" with bad bytes and an encoded surrogate
  const cases: ReadonlyArray<[string, string]> = [
    ['/auth/register', 'ovok'],
    ['/v1/auth/register', 'pixelmover'],
    ['/api/v1/auth/login', 'jinuai'], // register reads forms only: the JSON cases go to login
    ['/admin/projects', 'admin'],
  ];
  for (const [url, contract] of cases) {
    test(`${contract}: raw invalid UTF-8 in a JSON body and in a form body; a JSON lone surrogate escape`, async () => {
      const headers = contract === 'admin' ? ADMIN : {};
      const rawJson = Buffer.concat([Buffer.from('{"name":'), invalid, Buffer.from(`,"email":"${uniqueEmail('raw')}"}`)]);
      const jsonResponse = await t.app.inject({
        method: 'POST',
        url,
        headers: { ...headers, 'content-type': 'application/json' },
        payload: rawJson,
      });
      assert.equal(jsonResponse.statusCode, 400, jsonResponse.body);
      const form = Buffer.concat([Buffer.from('name='), invalid.subarray(1, -1), Buffer.from('&email=a%40b.example')]);
      const formResponse = await t.app.inject({
        method: 'POST',
        url,
        headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded' },
        payload: form,
      });
      assert.ok([400, 415].includes(formResponse.statusCode), `${formResponse.statusCode} ${formResponse.body}`);
      // The same bytes percent-encoded (URLSearchParams would read them as U+FFFD).
      const escaped = await t.app.inject({
        method: 'POST',
        url,
        headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded' },
        payload: 'name=Al%FF%C3%28ce&email=a%40b.example&password=%ED%A0%80',
      });
      assert.ok([400, 415].includes(escaped.statusCode), `${escaped.statusCode} ${escaped.body}`);
      const surrogate = await t.app.inject({
        method: 'POST',
        url,
        headers: { ...headers, 'content-type': 'application/json' },
        payload: `{"name":"\\ud800","surname":"x","email":"\\udc00${uniqueEmail('lone')}","password":"${PASSWORD}","password_confirmation":"${PASSWORD}","password_confirm":"${PASSWORD}","account":"lone${Date.now()}","clientId":"${t.clientId}"}`,
      });
      assert.equal(surrogate.statusCode, 422, surrogate.body);
      assert.match(surrogate.body, /surrogate|must be an email|valid email/, surrogate.body);
    });
  }
});

test('jinuai: raw invalid UTF-8 in a multipart field is a 400, valid UTF-8 in one is kept', async () => {
  const boundary = 'boundary-test';
  const part = (name: string, value: Buffer): Buffer =>
    Buffer.concat([Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n`), value, Buffer.from('\r\n')]);
  const user = newUser();
  const body = (name: Buffer): Buffer =>
    Buffer.concat([
      part('name', name),
      ...Object.entries(user)
        .filter(([key]) => key !== 'name')
        .map(([key, value]) => part(key, Buffer.from(value))),
      Buffer.from(`--${boundary}--\r\n`),
    ]);
  const headers = { 'content-type': `multipart/form-data; boundary=${boundary}` };
  const invalid = await t.app.inject({
    method: 'POST',
    url: '/api/v1/auth/register',
    headers,
    payload: body(Buffer.from([0x41, 0x6c, 0xff, 0xc3, 0x28, 0x20, 0x54, 0x65, 0x73, 0x74, 0x65, 0x72])),
  });
  assert.equal(invalid.statusCode, 400, invalid.body);
  assert.deepEqual(json(invalid), { detail: 'There was an error parsing the body' });
  const valid = await t.app.inject({
    method: 'POST',
    url: '/api/v1/auth/register',
    headers,
    payload: body(Buffer.from('José Ñandú 山田')),
  });
  assert.equal(valid.statusCode, 201, valid.body);
  assert.equal(json<{ name: string }>(valid).name, 'José Ñandú 山田');
});

describe('the database layer refuses NUL itself (last line behind the boundary)', () => {
  test('a core call with a NUL in a name is a Validation error, not a driver error', async () => {
    await assert.rejects(
      t.app.core.projects.create({ name: 'bad\u0000name' }),
      (error: unknown) => error instanceof GatehouseError && error.code === ErrorCode.Validation,
    );
  });

  test('a NUL escape inside jsonb (refused by the server itself) is a Validation error too', async () => {
    await assert.rejects(
      t.app.core.projects.create({ name: 'jsonb', settings: { note: 'a\u0000b' } }),
      (error: unknown) => error instanceof GatehouseError && error.code === ErrorCode.Validation,
    );
    // The connection is still usable afterwards.
    assert.equal((await t.app.inject({ method: 'GET', url: '/admin/projects', headers: ADMIN })).statusCode, 200);
  });
});

test('an import line is held to the same text rules (it reaches the database without HTTP)', () => {
  const line = { email: 'import@example.com', passwordHash: '', name: 'Ada', surname: 'Lovelace' };
  assert.equal(validateUser(1, line).ok, true);
  for (const [field, value] of [
    ['name', 'A\u202Eda'],
    ['surname', 'Love\u0000lace'],
    ['company', 'Acme\u0007'],
  ] as const) {
    const result = validateUser(2, { ...line, [field]: value });
    assert.equal(result.ok, false, field);
    if (!result.ok) assert.equal(result.failed.field, field);
  }
  const script = validateUser(3, { ...line, name: '👩🏽‍💻 देवनागरी 山田' });
  assert.ok(script.ok && script.user.firstName === '👩🏽‍💻 देवनागरी 山田');
});

test('hosted pages: the sign-up form with a NUL or a bidi override in the name is refused with a page, no account', async () => {
  const provider = await startProvider();
  try {
    for (const firstName of ['Pat\u0000', 'Pat\u202Egnp.exe']) {
      const jar = new CookieJar();
      const email = uniqueEmail('page');
      const html = await (await jar.fetch(`${provider.issuer}/login/sign-up`)).text();
      const answer = await submit(jar, `${provider.issuer}/login/sign-up`, {
        _csrf: hiddenField(html, '_csrf'),
        email,
        password: PASSWORD,
        firstName,
      });
      assert.ok(answer.status >= 400 && answer.status < 500, `${answer.status}`);
      assert.match(String(answer.headers.get('content-type')), /^text\/html/);
      const row = await provider.app.core.database.db.selectFrom('users').select('id').where('email', '=', email).executeTakeFirst();
      assert.equal(row, undefined);
    }
  } finally {
    await provider.close();
  }
});
