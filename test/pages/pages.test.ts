import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ErrorCode, GatehouseError } from '../../src/core/errors.ts';
import { endpoint, type RouteTable } from '../../src/http/routes.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';

const PAGE_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' https: data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

const throwing = (error: () => Error) => endpoint({ schema: { hide: true }, handler: async () => Promise.reject(error()) });
const fixtures: RouteTable = [
  [
    'GET',
    '/test/limited',
    throwing(() => new GatehouseError(ErrorCode.RateLimited, 'Too many requests; try again in 42 seconds', { retryAfter: 42 })),
  ],
  ['GET', '/test/crash', throwing(() => new Error('secret database detail'))],
];

let t: TestApp;
let plain: TestApp;
before(async () => {
  t = await createTestApp({}, { build: { extraPages: fixtures } });
  plain = await createTestApp();
});
after(async () => {
  await t.close();
  await plain.close();
});

describe('hosted pages over HTTP: start page, headers, assets, error pages', () => {
  it('GET / is a page for everyone (never a 404), with the page headers', async () => {
    for (const accept of ['text/html', 'application/json', '*/*']) {
      const r = await plain.app.inject({ method: 'GET', url: '/', headers: { accept } });
      assert.equal(r.statusCode, 200, accept);
      assert.equal(r.headers['content-type'], 'text/html; charset=utf-8');
      assert.equal(r.headers['content-security-policy'], PAGE_CSP);
      assert.equal(r.headers['x-frame-options'], 'DENY');
      assert.equal(r.headers['referrer-policy'], 'no-referrer');
      assert.equal(r.headers['cache-control'], 'no-store');
      assert.doesNotMatch(r.body, /<script>|<style|style="/, 'no inline script or style');
    }
    assert.equal((await plain.app.inject({ method: 'HEAD', url: '/' })).statusCode, 200);
  });

  it('the start page links to the hosted sign-in page (issue 15 mounts it at /login)', async () => {
    assert.match((await plain.app.inject({ method: 'GET', url: '/' })).body, /href="\/login"/);
    assert.equal((await plain.app.inject({ method: 'GET', url: '/login', headers: { accept: 'text/html' } })).statusCode, 200);
  });

  it('assets: content-hashed URLs cached for a year, ETag revalidation, nothing else under /assets/', async () => {
    const page = (await plain.app.inject({ method: 'GET', url: '/' })).body;
    const css = /href="(\/assets\/pages\.css\?v=[0-9a-f]{12})"/.exec(page)?.[1];
    assert.ok(css !== undefined, 'the layout links the stylesheet by content hash');
    const r = await plain.app.inject({ method: 'GET', url: css });
    assert.equal(r.statusCode, 200);
    assert.match(String(r.headers['content-type']), /^text\/css/);
    assert.equal(r.headers['cache-control'], 'public, max-age=31536000, immutable');
    const etag = String(r.headers.etag);
    assert.equal((await plain.app.inject({ method: 'GET', url: css, headers: { 'if-none-match': etag } })).statusCode, 304);
    for (const url of [
      '/assets/../package.json',
      '/assets/missing.css',
      '/assets/theme/FFEE00.css',
      '/assets/theme/ffee0.css',
      '/assets/theme/x.css',
    ]) {
      assert.equal((await plain.app.inject({ method: 'GET', url })).statusCode, 404, url);
    }
  });

  it('a theme stylesheet follows from its URL: colour, readable text colour, darker ink', async () => {
    const r = await plain.app.inject({ method: 'GET', url: '/assets/theme/ffe033.css' });
    assert.equal(r.statusCode, 200);
    assert.equal(r.headers['cache-control'], 'public, max-age=31536000, immutable');
    assert.match(r.body, /--brand: #ffe033;/);
    assert.match(r.body, /--brand-text: #000000;/);
    assert.doesNotMatch(r.body, /--brand-ink: #ffe033;/);
  });

  it('browsers get an HTML 404 page, API clients keep the JSON 404', async () => {
    const html = await plain.app.inject({ method: 'GET', url: '/nowhere', headers: { accept: 'text/html,application/xhtml+xml' } });
    assert.equal(html.statusCode, 404);
    assert.equal(html.headers['content-security-policy'], PAGE_CSP);
    assert.match(html.body, /<h1>Page not found<\/h1>/);
    assert.match(html.body, new RegExp(`<code>${html.headers['x-request-id']}</code>`));
    const json = await plain.app.inject({ method: 'GET', url: '/nowhere', headers: { accept: 'application/json' } });
    assert.equal(json.statusCode, 404);
    assert.deepEqual(json.json(), { error: 'not_found', message: 'No route for GET /nowhere' });
  });

  it('errors thrown by page routes are error pages: core codes keep their status, a crash shows nothing internal', async () => {
    const limited = await t.app.inject({ method: 'GET', url: '/test/limited', headers: { 'accept-language': 'de' } });
    assert.equal(limited.statusCode, 429);
    assert.equal(limited.headers['retry-after'], '42');
    assert.match(limited.body, /<h1>Zu viele Versuche<\/h1>/);
    const crash = await t.app.inject({ method: 'GET', url: '/test/crash' });
    assert.equal(crash.statusCode, 500);
    assert.match(crash.body, /<h1>Something went wrong<\/h1>/);
    assert.doesNotMatch(crash.body, /secret database detail|at .*\.ts/);
    assert.match(crash.body, new RegExp(`<code>${crash.headers['x-request-id']}</code>`));
  });
});
