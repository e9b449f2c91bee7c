import type { FastifyInstance } from 'fastify';
import fc from 'fast-check';
import type { FuzzCredentials, FuzzStats, Style } from './credentials.ts';

/** One public operation, as listed by the server's own OpenAPI document (new routes are fuzzed automatically). */
export interface Operation {
  readonly method: string;
  readonly path: string;
}

export async function listOperations(app: FastifyInstance): Promise<Operation[]> {
  const doc = (await app.inject({ method: 'GET', url: '/openapi.json' })).json<{ paths: Record<string, Record<string, unknown>> }>();
  const out: Operation[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const method of Object.keys(item)) {
      if (['get', 'post', 'put', 'patch', 'delete'].includes(method)) out.push({ method: method.toUpperCase(), path });
    }
  }
  // Paths no route serves: the not-found answer must obey the same invariant.
  for (const path of ['/{x}', '/zz-unknown/{x}', '/.env', '/openapi.json/{x}'])
    for (const method of ['GET', 'POST', 'DELETE']) out.push({ method, path });
  return out;
}

/**
 * Characters the input boundary must refuse or keep exactly (issue 12): NUL, lone surrogates,
 * C0 and C1 controls, bidi overrides and isolates, astral characters, combining marks, ZWJ.
 */
const hostileChar = fc.oneof(
  fc.constantFrom('\u0000', '\uD800', '\uDBFF', '\uDC00', '\uDFFF', '\u202E', '\u2066', '\u2069', '\u200D', '\uFEFF', '\uFFFD', '\u0301'),
  fc.integer({ min: 0x00, max: 0x1f }).map((code) => String.fromCharCode(code)),
  fc.integer({ min: 0x7f, max: 0x9f }).map((code) => String.fromCharCode(code)),
  fc.integer({ min: 0x202a, max: 0x202e }).map((code) => String.fromCharCode(code)),
  fc.integer({ min: 0xd800, max: 0xdfff }).map((code) => String.fromCharCode(code)),
  fc.integer({ min: 0x10000, max: 0x10ffff }).map((code) => String.fromCodePoint(code)),
);

/** Strings drawn from all of Unicode, with the hostile characters mixed into ordinary text. */
export const unicodeString = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc
    .array(fc.oneof(hostileChar, fc.string({ unit: 'binary', maxLength: 4 }), fc.constantFrom('a', 'é', '@', '.', ' ')), { maxLength: 24 })
    .map((parts) => parts.join('')),
  fc.tuple(fc.constantFrom('', 'name', 'user'), hostileChar, fc.constantFrom('@example.com', '', 'x')).map((parts) => parts.join('')),
);

const hostileString = fc.oneof(
  unicodeString,
  fc.string(),
  fc.constantFrom(
    '\u0000',
    'a\u0000b@example.com',
    'аdmin@example.com',
    'ᴀdmin@exаmple.com',
    "' OR 1=1 --",
    '../../etc/passwd',
    '%00',
    '\ud800',
    '\udc00@example.com',
    'Alice\u202Egnp.exe',
    '\u0085',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a template-injection probe, meant literally
    '${7*7}',
    '<script>',
  ),
  fc.integer({ min: 1000, max: 300_000 }).map((n) => 'x'.repeat(n)),
);
/** Numbers JSON can carry that a handler may not expect: huge, negative, fractional, -0. */
const hostileNumber = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.constantFrom(-1, -0, 0, 1e308, -1e308, 5e-324, 2 ** 53 + 2, -(2 ** 63), 2 ** 64, 1e21, 0.1),
);
const hostileKey = fc.oneof(
  fc.constantFrom(
    '__proto__',
    'constructor',
    'prototype',
    'email',
    'password',
    'password_confirmation',
    'password_confirm',
    'clientId',
    'name',
    'surname',
    'account',
    'company',
    'timezone',
    'refresh_token',
    'code',
    'remember',
    'days',
    'settings',
    'permissions',
    'expires_at',
    'username',
    'grant_type',
  ),
  fc.string({ maxLength: 12 }),
  unicodeString,
);
const leaf = fc.oneof(hostileString, hostileNumber, fc.boolean(), fc.constant(null), fc.constant([]), fc.constant({}));
const hostileValue = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(hostileKey, tie('value'), { maxKeys: 5 }),
  ),
})).value;

function nested(depth: number): string {
  return `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
}

/** JSON number text beyond what a double holds exactly (JSON.stringify cannot write these). */
const rawNumber = fc.oneof(
  fc.bigInt({ min: -(10n ** 40n), max: 10n ** 40n }).map(String),
  fc.constantFrom('1e999', '-1e999', '1e-999', '-0', '123456789012345678901234567890.5'),
);

/** Bytes that are not UTF-8: stray continuation bytes, overlong forms, encoded surrogates, cut sequences. */
const invalidUtf8 = fc.oneof(
  fc.uint8Array({ minLength: 1, maxLength: 64 }).map((bytes) => Buffer.from(bytes)),
  fc.constantFrom(
    Buffer.from([0xff]),
    Buffer.from([0xc0, 0xaf]),
    Buffer.from([0xed, 0xa0, 0x80]),
    Buffer.from([0xf4, 0x90, 0x80, 0x80]),
    Buffer.from([0xe2, 0x82]),
    Buffer.from([0x80]),
  ),
);

/** A raw request body with its content type: JSON (valid and broken), forms, multipart, wrong types. */
export const hostileBody = fc.oneof(
  hostileValue.map((v) => ({ type: 'application/json', body: Buffer.from(JSON.stringify(v) ?? 'null') })),
  // Known fields with values of any type (wrong JSON types, huge numbers, hostile text).
  fc.dictionary(hostileKey, leaf, { maxKeys: 6 }).map((o) => ({ type: 'application/json', body: Buffer.from(JSON.stringify(o)) })),
  fc.tuple(hostileKey, rawNumber).map(([k, n]) => ({ type: 'application/json', body: Buffer.from(`{${JSON.stringify(k)}:${n}}`) })),
  // Lone surrogates as JSON escapes (JSON.stringify would write them the same way).
  fc.tuple(hostileKey, fc.constantFrom('\\ud800', '\\udfff', 'a\\ud83d', '\\u0000', '\\u202e')).map(([k, sequence]) => ({
    type: 'application/json',
    body: Buffer.from(`{${JSON.stringify(k)}:"${sequence}","email":"${sequence}@example.com","name":"x${sequence}"}`),
  })),
  // Raw invalid UTF-8: the whole body, or inside a JSON string, or inside a form value.
  invalidUtf8.map((bytes) => ({ type: 'application/json', body: bytes })),
  fc.tuple(hostileKey, invalidUtf8).map(([k, bytes]) => ({
    type: 'application/json',
    body: Buffer.concat([Buffer.from(`{${JSON.stringify(k)}:"`), bytes, Buffer.from('","email":"a@b.example"}')]),
  })),
  fc.tuple(fc.constantFrom('name', 'email', 'password', 'username'), invalidUtf8).map(([k, bytes]) => ({
    type: 'application/x-www-form-urlencoded',
    body: Buffer.concat([Buffer.from(`${k}=`), bytes, Buffer.from('&password=x')]),
  })),
  fc.dictionary(hostileKey, hostileString, { maxKeys: 5 }).map((o) => ({
    type: 'application/json',
    body: Buffer.from(
      `{${Object.entries(o)
        .map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)},"${k}":1`)
        .join(',')}}`,
    ),
  })),
  fc.integer({ min: 50, max: 5000 }).map((d) => ({ type: 'application/json', body: Buffer.from(nested(d)) })),
  fc.integer({ min: 50, max: 5000 }).map((d) => ({ type: 'application/json', body: Buffer.from(`${'['.repeat(d)}${']'.repeat(d)}`) })),
  fc.constantFrom(
    { type: 'application/json', body: Buffer.from('') },
    { type: 'application/json', body: Buffer.from('{"email":"a') },
    { type: 'application/json', body: Buffer.from([0x7b, 0x22, 0x65, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0xc3, 0x28, 0x22, 0x7d]) },
    { type: 'application/json', body: Buffer.from('{"__proto__":{"isAdmin":true},"constructor":{"prototype":{"x":1}}}') },
    { type: 'application/json', body: Buffer.alloc(200_000, 0x61) },
    { type: 'text/plain', body: Buffer.from('email=a@b.c') },
    { type: 'application/xml', body: Buffer.from('<a/>') },
    { type: 'application/json; charset=utf-16', body: Buffer.from('{}') },
  ),
  fc.dictionary(hostileKey, hostileString, { maxKeys: 5 }).map((o) => ({
    type: 'application/x-www-form-urlencoded',
    body: Buffer.from(`${new URLSearchParams(Object.entries(o)).toString()}&email=x&email=y&__proto__[a]=1`),
  })),
  fc.dictionary(hostileKey, fc.oneof(hostileString, invalidUtf8), { maxKeys: 4 }).map((o) => {
    const b = 'fuzzboundary';
    const parts = Object.entries(o).map(([k, v]) =>
      Buffer.concat([
        Buffer.from(`--${b}\r\nContent-Disposition: form-data; name="${k.replace(/["\r\n]/g, '')}"\r\n\r\n`),
        typeof v === 'string' ? Buffer.from(v) : v,
        Buffer.from('\r\n'),
      ]),
    );
    return { type: `multipart/form-data; boundary=${b}`, body: Buffer.concat([...parts, Buffer.from(`--${b}--\r\n`)]) };
  }),
  fc.constant({ type: 'multipart/form-data; boundary=x', body: Buffer.from('--x\r\nbroken') }),
);

export const hostileHeaders = fc.record(
  {
    authorization: fc.oneof(
      fc.constantFrom(
        'Bearer',
        'Bearer ',
        'Basic Zm9vOmJhcg==',
        'Bearer a.b.c',
        'Bearer eyJhbGciOiJub25lIn0.e30.',
        'bearer  x',
        'Token x',
        'Bearer \u00ff',
      ),
      fc.string({ maxLength: 60 }).map((s) => `Bearer ${s.replace(/[^\x20-\x7e]/g, '')}`),
    ),
    cookie: fc.oneof(
      fc.constant(`gatehouse_session=${'a'.repeat(8000)}`),
      fc.constant('gatehouse_session=%ZZ; a=b'),
      fc.string({ maxLength: 40 }).map((s) => s.replace(/[^\x20-\x7e]/g, '')),
    ),
    'x-api-key': fc.string({ maxLength: 60 }).map((s) => s.replace(/[^\x20-\x7e]/g, '')),
  },
  { requiredKeys: [] },
);

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Percent-encodes a path segment; a lone surrogate (which encodeURIComponent refuses) becomes the invalid UTF-8 bytes of one. */
function encodeSegment(seg: string): string {
  return seg
    .split(LONE_SURROGATE)
    .map((part) => encodeURIComponent(part))
    .join('%ED%A0%80');
}

function fill(path: string, seg: string): string {
  return path.replace(/\{[^}]+\}/g, seg || 'x');
}

const LEAKS = [
  /\n\s+at [^\n]+\(/,
  /node_modules/,
  /\/work\//,
  /\bsrc\/[a-z-]+\//,
  /SELECT |INSERT INTO|syntax error at|violates .* constraint|duplicate key value/i,
  /PGlite|postgres error/i,
];

/** Which error style a path's contract renders. */
export function styleOf(path: string): Style {
  if (path.startsWith('/api/v1/')) return 'jinuai';
  if (path.startsWith('/v1/')) return 'pixelmover';
  if (path.startsWith('/admin')) return 'admin';
  if (path.startsWith('/auth/') || path.startsWith('/v2/auth/')) return 'ovok';
  return 'other';
}

/** The invariant: no 5xx (but a 503 with Retry-After), no leak, errors in the contract's own format. Returns a problem or null. */
export function checkResponse(op: Operation, res: { statusCode: number; headers: Record<string, unknown>; body: string }): string | null {
  if (res.statusCode >= 500 && !(res.statusCode === 503 && res.headers['retry-after'] !== undefined))
    return `status ${res.statusCode}: ${res.body.slice(0, 300)}`;
  for (const re of LEAKS) if (re.test(res.body)) return `leak ${re}: ${res.body.slice(0, 300)}`;
  if (res.statusCode < 400 || (res.statusCode === 404 && res.body === '')) return null;
  const style = styleOf(op.path);
  const type = String(res.headers['content-type'] ?? '');
  // The authorization endpoint and the hosted pages answer a person's browser with an error page.
  if (style === 'other' && type.startsWith('text/html')) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(res.body);
  } catch {
    return `non-JSON error body (${res.statusCode}): ${res.body.slice(0, 200)}`;
  }
  const o = (parsed ?? {}) as Record<string, unknown>;
  switch (style) {
    case 'ovok':
      if (!type.startsWith('application/fhir+json') || o.resourceType !== 'OperationOutcome' || !Array.isArray(o.issue))
        return `not an OperationOutcome (${res.statusCode} ${type}): ${res.body.slice(0, 200)}`;
      return null;
    case 'pixelmover':
      if (typeof o.message !== 'string') return `not a Laravel error (${res.statusCode}): ${res.body.slice(0, 200)}`;
      return null;
    case 'jinuai':
      if (!('detail' in o)) return `not a FastAPI error (${res.statusCode}): ${res.body.slice(0, 200)}`;
      return null;
    case 'admin':
      if (typeof o.error !== 'string' || typeof o.message !== 'string')
        return `not an admin error (${res.statusCode}): ${res.body.slice(0, 200)}`;
      return null;
    default:
      return null;
  }
}

export interface FuzzOptions {
  /** Valid credentials merged into some requests, so that handlers behind authentication are reached. */
  readonly credentials?: FuzzCredentials;
  /** Registers fresh credentials every this many cases (the fuzzer logs out and deletes accounts). */
  readonly renewEvery?: number;
  readonly stats?: FuzzStats;
}

/** Builds the fast-check property that hits every operation with hostile requests. */
export function endpointProperty(
  app: FastifyInstance,
  ops: readonly Operation[],
  options: FuzzOptions = {},
): fc.IAsyncPropertyWithHooks<[Operation, string, { type: string; body: Buffer }, Record<string, string>, boolean]> {
  let cases = 0;
  return fc.asyncProperty(
    fc.constantFrom(...ops),
    // Path segments, percent-encoded; the raw ones are sent as written (invalid UTF-8 escapes among them).
    fc.oneof(
      fc
        .oneof(
          fc.string({ maxLength: 20 }),
          unicodeString,
          fc.constantFrom('all', '1', '-1', '99999999999999999999', '00000000-0000-0000-0000-000000000000', '\u0000', '\u202E', '\u0085'),
        )
        .filter((s) => s !== '.' && s !== '..')
        .map(encodeSegment),
      fc.constantFrom('%00', '%FF', '%C0%AF', '%ED%A0%80', '%E2%80%AE', '..%2f', '%', '%zz'),
    ),
    hostileBody,
    hostileHeaders,
    fc.boolean(),
    async (op, seg, body, headers, authenticated) => {
      const { credentials, stats } = options;
      if (credentials !== undefined && cases % (options.renewEvery ?? 200) === 0) await credentials.renew();
      cases += 1;
      const style = styleOf(op.path);
      const hasBody = op.method !== 'GET';
      const res = await app.inject({
        method: op.method as 'GET',
        url: fill(op.path, seg),
        headers: {
          ...headers,
          ...(authenticated && credentials !== undefined ? credentials.for(style) : {}),
          ...(hasBody ? { 'content-type': body.type } : {}),
        },
        ...(hasBody ? { payload: body.body } : {}),
      });
      stats?.record(style, res.statusCode);
      const problem = checkResponse(op, res);
      if (problem !== null) throw new Error(`${op.method} ${op.path}: ${problem}`);
    },
  );
}
