import type { FastifyInstance } from 'fastify';
import fc from 'fast-check';

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

const hostileString = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.constantFrom(
    '\u0000',
    'a\u0000b@example.com',
    'аdmin@example.com',
    'ᴀdmin@exаmple.com',
    "' OR 1=1 --",
    '../../etc/passwd',
    '%00',
    '\ud800',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a template-injection probe, meant literally
    '${7*7}',
    '<script>',
  ),
  fc.integer({ min: 1000, max: 300_000 }).map((n) => 'x'.repeat(n)),
);
const hostileKey = fc.oneof(
  fc.constantFrom('__proto__', 'constructor', 'prototype', 'email', 'password', 'clientId', 'name', 'refresh_token', 'code', 'remember'),
  fc.string({ maxLength: 12 }),
);
const leaf = fc.oneof(hostileString, fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.constant([]));
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

/** A raw request body with its content type: JSON (valid and broken), forms, multipart, wrong types. */
export const hostileBody = fc.oneof(
  hostileValue.map((v) => ({ type: 'application/json', body: Buffer.from(JSON.stringify(v) ?? 'null') })),
  fc.dictionary(hostileKey, hostileString, { maxKeys: 5 }).map((o) => ({
    type: 'application/json',
    body: Buffer.from(
      `{${Object.entries(o)
        .map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)},"${k}":1`)
        .join(',')}}`,
    ),
  })),
  fc.integer({ min: 50, max: 5000 }).map((d) => ({ type: 'application/json', body: Buffer.from(nested(d)) })),
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
  fc.dictionary(hostileKey, hostileString, { maxKeys: 4 }).map((o) => {
    const b = 'fuzzboundary';
    const parts = Object.entries(o).map(
      ([k, v]) => `--${b}\r\nContent-Disposition: form-data; name="${k.replace(/["\r\n]/g, '')}"\r\n\r\n${v}\r\n`,
    );
    return { type: `multipart/form-data; boundary=${b}`, body: Buffer.from(`${parts.join('')}--${b}--\r\n`) };
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

function fill(path: string, seg: string): string {
  return path.replace(/\{[^}]+\}/g, encodeURIComponent(seg) || 'x');
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
export function styleOf(path: string): 'ovok' | 'pixelmover' | 'jinuai' | 'admin' | 'other' {
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

/** Builds the fast-check property that hits every operation with hostile requests. */
export function endpointProperty(
  app: FastifyInstance,
  ops: readonly Operation[],
): fc.IAsyncPropertyWithHooks<[Operation, string, { type: string; body: Buffer }, Record<string, string>]> {
  return fc.asyncProperty(
    fc.constantFrom(...ops),
    fc.oneof(
      fc.string({ maxLength: 20 }).filter((s) => s !== '.' && s !== '..'),
      fc.constantFrom('%00', '..%2f', 'all', '1', '-1', '99999999999999999999', '00000000-0000-0000-0000-000000000000'),
    ),
    hostileBody,
    hostileHeaders,
    async (op, seg, body, headers) => {
      const hasBody = op.method !== 'GET';
      const res = await app.inject({
        method: op.method as 'GET',
        url: fill(op.path, seg),
        headers: { ...headers, ...(hasBody ? { 'content-type': body.type } : {}) },
        ...(hasBody ? { payload: body.body } : {}),
      });
      const problem = checkResponse(op, res);
      if (problem !== null) throw new Error(`${op.method} ${op.path}: ${problem}`);
    },
  );
}
