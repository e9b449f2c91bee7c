import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderJinuaiProblem } from '../../src/contracts/jinuai/errors.ts';
import { INEXACT, parseDate, parseEmail, parseUuid } from '../../src/contracts/jinuai/framework/formats.ts';
import { pythonJsonError } from '../../src/contracts/jinuai/framework/python-json.ts';
import { ErrorCode, GatehouseError } from '../../src/core/errors.ts';
import { createTestApp, json } from '../helpers/app.ts';
import { API, newUser, register } from './helpers.ts';

describe('JinuAI error rendering', () => {
  it('renders throttling and overload with Retry-After, and 5xx generically', () => {
    const limited = renderJinuaiProblem({
      kind: 'core',
      error: new GatehouseError(ErrorCode.RateLimited, 'Too many requests; try again in 42 seconds', { retryAfter: 42 }),
    });
    assert.equal(limited.status, 429);
    assert.match((limited.body as { detail: string }).detail, /^Too many requests/);
    assert.deepEqual(limited.headers, { 'retry-after': '42' });
    const busy = renderJinuaiProblem({ kind: 'core', error: new GatehouseError(ErrorCode.Overloaded, 'queue full', { retryAfter: 1.5 }) });
    assert.equal(busy.status, 503);
    assert.deepEqual(busy.headers, { 'retry-after': '2' });
    assert.deepEqual(renderJinuaiProblem({ kind: 'internal' }), {
      status: 500,
      body: { detail: 'Internal Server Error' },
      contentType: 'application/json',
    });
    // A core message never leaks into a 401.
    const session = renderJinuaiProblem({ kind: 'core', error: new GatehouseError(ErrorCode.Unauthenticated, 'Session was revoked') });
    assert.deepEqual(session.body, { detail: 'Could not validate credentials' });
  });

  it('renders a core field rule as a pydantic value_error on that body field', () => {
    const weak = renderJinuaiProblem({
      kind: 'core',
      error: new GatehouseError(ErrorCode.WeakPassword, 'Password is too weak', {
        fields: [{ field: 'password', message: 'Password is too weak' }],
      }),
    });
    assert.equal(weak.status, 422);
    assert.deepEqual(weak.body, {
      detail: [
        { type: 'value_error', loc: ['body', 'password'], msg: 'Value error, Password is too weak', input: null, ctx: { error: {} } },
      ],
    });
  });

  it('answers a rate-limited login in JinuAI format (429, detail, Retry-After)', async () => {
    const t = await createTestApp({ RATE_LIMITS: 'on', RATE_LIMIT_LOGIN: '2/300' });
    try {
      const fields = newUser();
      await register(t.app, fields);
      const attempt = () =>
        t.app.inject({ method: 'POST', url: `${API}/auth/login`, payload: { email: fields.email, password: 'yourpassword' } });
      assert.equal((await attempt()).statusCode, 200);
      assert.equal((await attempt()).statusCode, 200);
      const refused = await attempt();
      assert.equal(refused.statusCode, 429);
      assert.match(json<{ detail: string }>(refused).detail, /^Too many requests/);
      assert.ok(Number(refused.headers['retry-after']) > 0);
    } finally {
      await t.close();
    }
  });
});

describe("Python's json error positions", () => {
  it('matches CPython 3.11 json.loads messages and positions', () => {
    const cases: Array<[string, string, number]> = [
      ['', 'Expecting value', 0],
      ['   ', 'Expecting value', 3],
      ['{', 'Expecting property name enclosed in double quotes', 1],
      ['{"a":1,}', 'Expecting property name enclosed in double quotes', 7],
      ['[1,]', 'Expecting value', 3],
      ['[1 2]', "Expecting ',' delimiter", 3],
      ['[', 'Expecting value', 1],
      ['"a\u0001"', 'Invalid control character at', 2],
      ['"\\u12"', 'Invalid \\uXXXX escape', 2],
      ['{"a": tru}', 'Expecting value', 6],
      ['1.5e', 'Extra data', 3],
      ['"😀" x', 'Extra data', 4],
      ['"\\u1234', 'Invalid \\uXXXX escape', 2],
      ['[1,2', "Expecting ',' delimiter", 4],
      ['{"a"', "Expecting ':' delimiter", 4],
      ['-', 'Expecting value', 0],
      ['01', 'Extra data', 1],
      // Python accepts NaN; JavaScript cannot represent it in a body, so it stays an error here.
      ['NaN', 'Expecting value', 0],
    ];
    for (const [text, msg, pos] of cases) assert.deepEqual(pythonJsonError(text), { msg, pos }, text);
    assert.equal(pythonJsonError('['.repeat(200_000)), undefined);
  });
});

describe('pydantic formats', () => {
  it('normalizes emails like EmailStr and explains refusals like email_validator', () => {
    assert.deepEqual(parseEmail(' John.Doe@Example.COM '), { ok: true, value: 'John.Doe@example.com' });
    assert.deepEqual(parseEmail('John Doe <john@example.com>'), { ok: true, value: 'john@example.com' });
    assert.deepEqual(parseEmail('a,b@example.com'), {
      ok: false,
      reason: "The email address contains invalid characters before the @-sign: ','.",
    });
    assert.deepEqual(parseEmail('a@example.'), { ok: false, reason: 'An email address cannot end with a period.' });
    assert.deepEqual(parseEmail('a@b@example.com'), { ok: false, reason: "The part after the @-sign contains invalid characters: '@'." });
    assert.deepEqual(parseEmail('a@exa_mple.com'), { ok: false, reason: "The part after the @-sign contains invalid characters: '_'." });
    assert.deepEqual(parseEmail('a@123.456'), {
      ok: false,
      reason: 'The part after the @-sign is not valid. It is not within a valid top-level domain.',
    });
  });

  it('parses dates and UUIDs as pydantic v2 does', () => {
    assert.deepEqual(parseDate('2024-02-29'), { ok: true, value: '2024-02-29' });
    assert.deepEqual(parseDate('2023-02-29'), { ok: false, reason: 'day value is outside expected range' });
    assert.deepEqual(parseDate('2023-1-1'), { ok: false, reason: 'input is too short' });
    assert.deepEqual(parseDate('2023'), { ok: false, reason: INEXACT });
    assert.deepEqual(parseDate('2023-01-01T10:00:00'), { ok: false, reason: INEXACT });
    assert.deepEqual(parseDate('2023-01-01T00:00:00+01:00'), { ok: true, value: '2023-01-01' });
    assert.deepEqual(parseDate('2023-01-01x'), { ok: false, reason: 'invalid datetime separator, expected `T`, `t`, `_` or space' });
    assert.deepEqual(parseDate(86_400), { ok: true, value: '1970-01-02' });
    assert.deepEqual(parseDate('2023/01/01'), { ok: false, reason: 'invalid date separator, expected `-`' });
    assert.deepEqual(parseUuid('urn:uuid:3C90C3CC-0D44-4B50-8888-8DD25736052A'), {
      ok: true,
      value: '3c90c3cc-0d44-4b50-8888-8dd25736052a',
    });
    assert.deepEqual(parseUuid('{3c90c3cc-0d44-4b50-8888-8dd25736052a}'), { ok: true, value: '3c90c3cc-0d44-4b50-8888-8dd25736052a' });
    assert.deepEqual(parseUuid('3c90c3cc'), { ok: false, reason: 'invalid length: expected length 32 for simple format, found 8' });
    assert.deepEqual(parseUuid('3c90c3cc-0d44-4b50-8888'), { ok: false, reason: 'invalid group count: expected 5, found 4' });
    assert.deepEqual(parseUuid('urn:uuid:3c90c3cc-0d44-4b50-8888-8dd2573605zz'), {
      ok: false,
      reason: 'invalid character: found `z` at 35',
    });
    assert.deepEqual(parseUuid('3c90c3cc-0d444-b50-8888-8dd25736052a'), {
      ok: false,
      reason: 'invalid group length in group 1: expected 4, found 5',
    });
  });
});
