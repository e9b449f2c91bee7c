import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as client from 'openid-client';
import { CookieJar, createUser, discover, hiddenField, registerClient, startProvider, submit, type Provider } from './helpers.ts';

const REDIRECT = 'http://127.0.0.1/callback';

/** Runs the authorization request through the pages over HTTP: sign-in form, then back to the app. */
async function signInOverHttp(provider: Provider, jar: CookieJar, authorizeUrl: URL, user: { email: string; password: string }): Promise<URL> {
  const start = await jar.fetch(authorizeUrl.href);
  assert.equal(start.status, 302);
  const loginUrl = new URL(String(start.headers.get('location')), provider.issuer);
  assert.equal(loginUrl.pathname, '/login');
  const page = await jar.fetch(loginUrl.href);
  assert.equal(page.status, 200);
  const html = await page.text();
  const answer = await submit(jar, `${provider.issuer}/login`, {
    _csrf: hiddenField(html, '_csrf'),
    interaction: hiddenField(html, 'interaction'),
    email: user.email,
    password: user.password,
  });
  assert.equal(answer.status, 303, await answer.clone().text());
  return new URL(String(answer.headers.get('location')));
}

describe('OpenID provider: authorization code + PKCE with openid-client over HTTP', () => {
  let provider: Provider;
  before(async () => {
    provider = await startProvider();
  });
  after(async () => provider?.close());

  it('discovery, sign-in, code → tokens, ID token, userinfo, refresh rotation, revocation', async () => {
    const user = await createUser(provider);
    const registered = await registerClient(provider, { redirectUris: [REDIRECT], firstParty: true });
    const config = await discover(provider, registered.id);
    assert.equal(config.serverMetadata().issuer, provider.issuer);
    const verifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const nonce = client.randomNonce();
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT,
      scope: 'openid profile email offline_access',
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    });
    const jar = new CookieJar();
    const callback = await signInOverHttp(provider, jar, url, user);
    assert.equal(callback.searchParams.get('iss'), provider.issuer);
    const tokens = await client.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce, idTokenExpected: true });
    const claims = tokens.claims();
    assert.ok(claims);
    assert.equal(claims.email, user.email);
    assert.deepEqual(claims.amr, ['pwd']);
    assert.equal(typeof claims.auth_time, 'number');
    const info = await client.fetchUserInfo(config, tokens.access_token, claims.sub);
    assert.equal(info.email, user.email);
    assert.ok(tokens.refresh_token);
    const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token);
    assert.notEqual(refreshed.refresh_token, tokens.refresh_token);
    await client.tokenRevocation(config, String(refreshed.refresh_token));
    await assert.rejects(client.refreshTokenGrant(config, String(refreshed.refresh_token)), (error: unknown) => (error as { error?: string }).error === 'invalid_grant');
  });
});
