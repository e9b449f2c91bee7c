import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { FORM_PATH, formFixture } from '../helpers/pages.ts';

let t: TestApp;
let https: TestApp;
before(async () => {
  t = await createTestApp({}, { build: { extraPages: formFixture } });
  https = await createTestApp({ GATEHOUSE_ISSUER: 'https://login.example.test' }, { build: { extraPages: formFixture } });
});
after(async () => {
  await t.close();
  await https.close();
});

/** The CSRF cookie a page set, and the token its form carries. */
async function formToken(app: TestApp): Promise<{ cookie: string; token: string; setCookie: string }> {
  const page = await app.app.inject({ method: 'GET', url: FORM_PATH });
  assert.equal(page.statusCode, 200);
  const setCookie = [page.headers['set-cookie']].flat().find((line) => String(line).includes('gatehouse-csrf=')) ?? '';
  const token = /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1] ?? '';
  return { cookie: String(setCookie).split(';')[0] ?? '', token, setCookie: String(setCookie) };
}

function post(app: TestApp, body: string, headers: Record<string, string> = {}) {
  return app.app.inject({
    method: 'POST',
    url: FORM_PATH,
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    payload: body,
  });
}

const VALID = 'email=ada%40example.com&password=correct+horse';

describe('CSRF protection of page forms', () => {
  it('the token cookie is HttpOnly, SameSite=Lax, Path=/, not Secure over http, and the form repeats it', async () => {
    const { cookie, token, setCookie } = await formToken(t);
    assert.match(setCookie, /^gatehouse-csrf=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Lax$/);
    assert.equal(cookie, `gatehouse-csrf=${token}`);
    // A browser that has the cookie keeps its token: no new cookie on the next page.
    const again = await t.app.inject({ method: 'GET', url: FORM_PATH, headers: { cookie } });
    assert.equal([again.headers['set-cookie']].flat().filter((line) => String(line).includes('gatehouse-csrf')).length, 0);
    assert.match(again.body, new RegExp(`name="_csrf" value="${token}"`));
  });

  it('refuses with a readable 403 page: no cookie, no field, a wrong token, a malformed token', async () => {
    const { cookie, token } = await formToken(t);
    const other = (await formToken(t)).token;
    const cases: Array<[string, Record<string, string>, string]> = [
      ['no cookie', {}, `${VALID}&_csrf=${token}`],
      ['no field', { cookie }, VALID],
      ['another browser’s token', { cookie }, `${VALID}&_csrf=${other}`],
      ['malformed token', { cookie: 'gatehouse-csrf=short' }, `${VALID}&_csrf=short`],
    ];
    for (const [name, headers, body] of cases) {
      const refused = await post(t, body, headers);
      assert.equal(refused.statusCode, 403, name);
      assert.match(String(refused.headers['content-type']), /^text\/html/, name);
      assert.match(refused.body, /<h1>This form has expired<\/h1>/, name);
      assert.match(refused.body, /href="\/test\/form">Go back and try again/, name);
      assert.doesNotMatch(refused.body, /ada@example\.com/, name);
    }
  });

  it('accepts the matching token from the form field or the x-csrf-token header', async () => {
    const { cookie, token } = await formToken(t);
    const accepted = await post(t, `${VALID}&_csrf=${token}`, { cookie });
    assert.equal(accepted.statusCode, 303);
    assert.equal(accepted.headers.location, FORM_PATH);
    const byHeader = await post(t, VALID, { cookie, 'x-csrf-token': token });
    assert.equal(byHeader.statusCode, 303);
  });

  it('on https the cookie is __Host- prefixed and Secure, and the plain-http cookie name is not accepted', async () => {
    const { cookie, token, setCookie } = await formToken(https);
    assert.match(setCookie, /^__Host-gatehouse-csrf=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; Secure; SameSite=Lax$/);
    assert.equal((await post(https, `${VALID}&_csrf=${token}`, { cookie })).statusCode, 303);
    // A cookie planted without the prefix (by a sibling subdomain over http) does not count.
    const planted = await post(https, `${VALID}&_csrf=${token}`, { cookie: `gatehouse-csrf=${token}` });
    assert.equal(planted.statusCode, 403);
  });

  it('the token is checked before the handler reads the form', async () => {
    const { cookie } = await formToken(t);
    // An invalid body would be a 400 from the handler; without the token the answer is the 403 before it.
    const refused = await post(t, 'email=', { cookie });
    assert.equal(refused.statusCode, 403);
  });
});
