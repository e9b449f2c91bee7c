import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { CLI_ACTOR } from '../../src/core/use-cases/actor.ts';
import { safeReturn } from '../../src/http/console/session.ts';
import { ADMIN_TOKEN, json } from '../helpers/app.ts';
import { CookieJar, hiddenField, startProvider, submit, type Provider } from '../oidc/helpers.ts';

const PASSWORD = 'operator password 123';

/**
 * Where the console's sign-in must not lead: the system project is served by the hosted sign-in
 * for the console's own client only, never by a vendor API; a callback without the browser's state
 * opens nothing; a session that ended opens nothing; `return` cannot leave the console.
 */
describe('console sign-in boundaries', () => {
  let provider: Provider;
  const email = `console-boundary.${process.pid}.${Date.now()}@example.com`;

  before(async () => {
    provider = await startProvider();
    await provider.app.core.api.operators.create(CLI_ACTOR, { email, role: 'admin', password: PASSWORD });
  });
  after(async () => provider?.close());

  /** Signs in through the hosted pages over HTTP, as a browser would; answers the last response and the jar. */
  async function signInOver(authorizeUrl: string): Promise<{ jar: CookieJar; answer: Response }> {
    const jar = new CookieJar();
    const started = await jar.fetch(authorizeUrl);
    const login = new URL(String(started.headers.get('location')), provider.issuer);
    assert.equal(login.pathname, '/login');
    const page = await jar.fetch(login.href);
    const html = await page.text();
    const answer = await submit(jar, `${provider.issuer}/login`, {
      _csrf: hiddenField(html, '_csrf'),
      interaction: hiddenField(html, 'interaction'),
      email,
      password: PASSWORD,
    });
    return { jar, answer };
  }

  it('signs an operator in through the console client, and the session cookie opens the console', async () => {
    const jar = new CookieJar();
    const start = await jar.fetch(`${provider.issuer}/console`);
    assert.equal(start.status, 303);
    const authorize = String(start.headers.get('location'));
    const params = new URL(authorize, provider.issuer).searchParams;
    assert.equal(params.get('code_challenge_method'), 'S256');
    assert.equal(params.get('redirect_uri'), `${provider.issuer}/console/callback`);
    const setCookie = start.headers.getSetCookie().join('\n');
    assert.match(setCookie, /gatehouse-console-login=/);
    // The same browser (jar) goes on through the hosted sign-in.
    const page = await jar.fetch(
      `${provider.issuer}${String((await jar.fetch(`${provider.issuer}${authorize}`)).headers.get('location'))}`,
    );
    const html = await page.text();
    const signedIn = await submit(jar, `${provider.issuer}/login`, {
      _csrf: hiddenField(html, '_csrf'),
      interaction: hiddenField(html, 'interaction'),
      email,
      password: PASSWORD,
    });
    const callback = String(signedIn.headers.get('location'));
    assert.match(callback, /\/console\/callback\?code=/);
    const done = await jar.fetch(callback);
    assert.equal(done.status, 303);
    const session = done.headers.getSetCookie().find((line) => line.startsWith('gatehouse-console='));
    assert.ok(session);
    assert.match(session, /HttpOnly/i);
    assert.match(session, /SameSite=Strict/i);
    const overview = await jar.fetch(`${provider.issuer}/console`);
    assert.equal(overview.status, 200);
    assert.match(overview.headers.get('content-security-policy') ?? '', /frame-ancestors 'none'/);

    // Replaying the callback (same code) opens nothing more: the login cookie is spent.
    const replay = await jar.fetch(callback);
    assert.equal(replay.status, 400);
  });

  it('a vendor API refuses the console client and the operator', async () => {
    const { clientId } = await provider.app.core.api.console.access.oauthClient();
    const login = await provider.app.inject({ method: 'POST', url: '/v2/auth/login', payload: { email, password: PASSWORD, clientId } });
    assert.notEqual(login.statusCode, 200);
    assert.doesNotMatch(login.body, /accessToken/);
  });

  it('another client of the system project is not served by the hosted sign-in', async () => {
    const system = await provider.app.core.projects.systemProject();
    const registered = await provider.app.inject({
      method: 'POST',
      url: `/admin/projects/${system.id}/clients`,
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
      payload: { name: 'Look-alike', redirectUris: [`${provider.issuer}/elsewhere`], firstParty: true },
    });
    assert.equal(registered.statusCode, 201, registered.body);
    const other = json<{ id: string }>(registered).id;
    const verifier = randomBytes(32).toString('base64url');
    const query = new URLSearchParams({
      response_type: 'code',
      client_id: other,
      redirect_uri: `${provider.issuer}/elsewhere`,
      scope: 'openid',
      state: 'x',
      code_challenge: createHash('sha256').update(verifier).digest('base64url'),
      code_challenge_method: 'S256',
    });
    const { answer } = await signInOver(`${provider.issuer}/oauth2/authorize?${query.toString()}`);
    assert.notEqual(answer.status, 303, 'no code for a look-alike client');
    assert.doesNotMatch(String(answer.headers.get('location') ?? ''), /code=/);
  });

  it('a callback without the browser’s state, or an ended session, opens nothing', async () => {
    const forged = await provider.app.inject({ method: 'GET', url: '/console/callback?code=ghc_forged&state=forged' });
    assert.equal(forged.statusCode, 400);
    assert.equal(
      (forged.headers['set-cookie'] ?? []).toString().includes('gatehouse-console='),
      false,
      'no session cookie for a forged callback',
    );
    const ended = await provider.app.inject({ method: 'GET', url: '/console/users', headers: { cookie: 'gatehouse-console=ghs_unknown' } });
    assert.equal(ended.statusCode, 303);
    assert.match(String(ended.headers.location), /^\/oauth2\/authorize\?/);
  });

  it('`return` stays in the console', () => {
    assert.equal(safeReturn('/console/users?q=a'), '/console/users?q=a');
    assert.equal(safeReturn('//evil.example/console'), '/console');
    assert.equal(safeReturn('https://evil.example/console'), '/console');
    assert.equal(safeReturn('/consolex'), '/console');
    assert.equal(safeReturn('/console/\\evil'), '/console');
  });
});
