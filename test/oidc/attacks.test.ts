import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as oauth from 'oauth4webapi';
import * as client from 'openid-client';
import {
  CookieJar,
  createUser,
  discover,
  hiddenField,
  registerClient,
  startProvider,
  submit,
  TestClock,
  type Provider,
  type RegisteredClient,
} from './helpers.ts';

const REDIRECT = 'http://127.0.0.1/callback';
const LOGOUT = 'http://127.0.0.1/signed-out';

describe('OpenID provider under attack', () => {
  let provider: Provider;
  const clock = new TestClock();
  let user: { email: string; password: string };
  let app: RegisteredClient;
  let config: client.Configuration;
  let jar: CookieJar;

  /** A code for `app` (or another client) from a browser that is signed in. */
  async function code(
    forClient = app,
    extra: Record<string, string> = {},
  ): Promise<{ callback: URL; verifier: string; state: string; nonce: string }> {
    const verifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const nonce = client.randomNonce();
    const url = new URL(`${provider.issuer}/oauth2/authorize`);
    const params = {
      client_id: forClient.id,
      redirect_uri: REDIRECT,
      response_type: 'code',
      scope: 'openid email offline_access',
      state,
      nonce,
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      ...extra,
    };
    for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
    let answer = await jar.fetch(url.href);
    let location = new URL(String(answer.headers.get('location')), provider.issuer);
    if (location.pathname === '/login') {
      const html = await (await jar.fetch(location.href)).text();
      answer = await submit(jar, `${provider.issuer}/login`, {
        _csrf: hiddenField(html, '_csrf'),
        interaction: hiddenField(html, 'interaction'),
        email: user.email,
        password: user.password,
      });
      location = new URL(String(answer.headers.get('location')), provider.issuer);
    }
    return { callback: location, verifier, state, nonce };
  }

  async function tokenRequest(body: Record<string, string>, headers: Record<string, string> = {}): Promise<Response> {
    return fetch(`${provider.issuer}/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      body: new URLSearchParams(body).toString(),
    });
  }

  before(async () => {
    provider = await startProvider({ REFRESH_GRACE_SECONDS: '0' }, { clock: clock.now });
    user = await createUser(provider);
    app = await registerClient(provider, { redirectUris: [REDIRECT], postLogoutRedirectUris: [LOGOUT], firstParty: true });
    config = await discover(provider, app.id);
    jar = new CookieJar();
  });
  after(async () => provider?.close());

  it('an unregistered, prefix-matched or otherwise altered redirect URI gets an error page, never a redirect', async () => {
    for (const redirect of [
      `${REDIRECT}/evil`,
      `${REDIRECT}?next=https://evil.example`,
      `${REDIRECT}x`,
      'https://evil.example/callback',
      'http://127.0.0.1/Callback',
      `${REDIRECT}#x`,
    ]) {
      const url = `${provider.issuer}/oauth2/authorize?client_id=${app.id}&response_type=code&scope=openid&redirect_uri=${encodeURIComponent(redirect)}&code_challenge=${'a'.repeat(43)}&code_challenge_method=S256`;
      const answer = await jar.fetch(url);
      assert.equal(answer.status, 400, redirect);
      assert.equal(answer.headers.get('location'), null, redirect);
      assert.match(String(answer.headers.get('content-type')), /text\/html/);
      assert.match(await answer.text(), /This sign-in link is not valid/);
    }
    const unknown = await jar.fetch(
      `${provider.issuer}/oauth2/authorize?client_id=00000000-0000-4000-8000-000000000000&response_type=code&redirect_uri=${encodeURIComponent(REDIRECT)}`,
    );
    assert.equal(unknown.status, 400);
    assert.equal(unknown.headers.get('location'), null);
  });

  it('a public client must use PKCE with S256; other errors go back to the registered URI with state and iss', async () => {
    const base = `${provider.issuer}/oauth2/authorize?client_id=${app.id}&response_type=code&scope=openid&state=s1&redirect_uri=${encodeURIComponent(REDIRECT)}`;
    for (const [query, error] of [
      ['', 'invalid_request'],
      [`&code_challenge=${'a'.repeat(43)}&code_challenge_method=plain`, 'invalid_request'],
      [`&code_challenge=${'a'.repeat(43)}`, 'invalid_request'],
      [`&code_challenge=${'a'.repeat(43)}&code_challenge_method=S256&response_type=token`, 'invalid_request'],
      [`&code_challenge=${'a'.repeat(43)}&code_challenge_method=S256&request=eyJ`, 'request_not_supported'],
    ] as const) {
      const answer = await jar.fetch(`${base}${query}`);
      const location = new URL(String(answer.headers.get('location')));
      assert.equal(location.origin + location.pathname, REDIRECT, query);
      assert.equal(location.searchParams.get('error'), error, query);
      assert.equal(location.searchParams.get('state'), 's1');
      assert.equal(location.searchParams.get('iss'), provider.issuer);
    }
  });

  it('a replayed code fails and revokes what its first use issued', async () => {
    const { callback, verifier, state, nonce } = await code();
    const tokens = await client.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: verifier,
      expectedState: state,
      expectedNonce: nonce,
    });
    const replay = await tokenRequest({
      grant_type: 'authorization_code',
      code: String(callback.searchParams.get('code')),
      redirect_uri: REDIRECT,
      code_verifier: verifier,
      client_id: app.id,
    });
    assert.equal(replay.status, 400);
    assert.equal(((await replay.json()) as { error: string }).error, 'invalid_grant');
    await assert.rejects(client.fetchUserInfo(config, tokens.access_token, client.skipSubjectCheck));
    await assert.rejects(
      client.refreshTokenGrant(config, String(tokens.refresh_token)),
      (error: unknown) => (error as { error?: string }).error === 'invalid_grant',
    );
  });

  it('a wrong or missing PKCE verifier, a code of another client and an expired code are invalid_grant', async () => {
    const other = await registerClient(provider, { redirectUris: [REDIRECT], firstParty: true });
    const issued = await code();
    const codeValue = String(issued.callback.searchParams.get('code'));
    const exchange = (fields: Record<string, string>) =>
      tokenRequest({ grant_type: 'authorization_code', code: codeValue, redirect_uri: REDIRECT, client_id: app.id, ...fields });
    const attempts: Array<Record<string, string>> = [
      { code_verifier: client.randomPKCECodeVerifier() },
      {},
      { code_verifier: issued.verifier, client_id: other.id },
      { code_verifier: issued.verifier, redirect_uri: `${REDIRECT}/x` },
    ];
    for (const fields of attempts) {
      const answer = await exchange(fields);
      assert.equal(answer.status, 400, JSON.stringify(fields));
      assert.equal(((await answer.json()) as { error: string }).error, 'invalid_grant');
    }
    // None of those spent the code: its own client still gets tokens.
    assert.equal((await exchange({ code_verifier: issued.verifier })).status, 200);

    const late = await code();
    clock.offsetMs = 61_000;
    try {
      const answer = await tokenRequest({
        grant_type: 'authorization_code',
        code: String(late.callback.searchParams.get('code')),
        redirect_uri: REDIRECT,
        client_id: app.id,
        code_verifier: late.verifier,
      });
      assert.equal(answer.status, 400);
      assert.match(((await answer.json()) as { error_description: string }).error_description, /expired/);
    } finally {
      clock.offsetMs = 0;
    }
  });

  it('a wrong client secret is 401 invalid_client with WWW-Authenticate; unknown grant types and clients are refused', async () => {
    const confidential = await registerClient(provider, {
      type: 'confidential',
      grantTypes: ['client_credentials'],
      scopes: ['system/*.rs'],
    });
    const basic = (secret: string) => ({ authorization: `Basic ${Buffer.from(`${confidential.id}:${secret}`).toString('base64')}` });
    for (const headers of [basic('ghcs_wrong'), basic('')]) {
      const answer = await tokenRequest({ grant_type: 'client_credentials' }, headers);
      assert.equal(answer.status, 401);
      assert.match(String(answer.headers.get('www-authenticate')), /^Basic realm=/);
      assert.equal(((await answer.json()) as { error: string }).error, 'invalid_client');
    }
    const post = await tokenRequest({ grant_type: 'client_credentials', client_id: confidential.id });
    assert.equal(post.status, 401);
    assert.equal((await tokenRequest({ grant_type: 'password', client_id: app.id })).status, 400);
    assert.equal(
      ((await (await tokenRequest({ grant_type: 'client_credentials', client_id: app.id })).json()) as { error: string }).error,
      'unauthorized_client',
    );
    const ok = await tokenRequest({ grant_type: 'client_credentials' }, basic(String(confidential.secret)));
    assert.equal(ok.status, 200);
    assert.equal(ok.headers.get('cache-control'), 'no-store');
  });

  it('tampered state and nonce are caught by the relying party', async () => {
    const issued = await code();
    await assert.rejects(
      client.authorizationCodeGrant(config, issued.callback, {
        pkceCodeVerifier: issued.verifier,
        expectedState: 'tampered',
        expectedNonce: issued.nonce,
      }),
    );
    const fresh = await code();
    await assert.rejects(
      client.authorizationCodeGrant(config, fresh.callback, {
        pkceCodeVerifier: fresh.verifier,
        expectedState: fresh.state,
        expectedNonce: 'tampered',
      }),
    );
  });

  it('oauth4webapi: strict processing of the error, challenge and replay answers', async () => {
    const as = await oauth.processDiscoveryResponse(
      new URL(provider.issuer),
      await oauth.discoveryRequest(new URL(provider.issuer), { [oauth.allowInsecureRequests]: true }),
    );
    const rp: oauth.Client = { client_id: app.id };
    const issued = await code();
    const params = oauth.validateAuthResponse(as, rp, issued.callback, issued.state);
    const wrongVerifier = await oauth.authorizationCodeGrantRequest(
      as,
      rp,
      oauth.None(),
      params,
      REDIRECT,
      client.randomPKCECodeVerifier(),
      { [oauth.allowInsecureRequests]: true },
    );
    await assert.rejects(
      oauth.processAuthorizationCodeResponse(as, rp, wrongVerifier),
      (error: unknown) => error instanceof oauth.ResponseBodyError && error.error === 'invalid_grant' && error.status === 400,
    );
    // The iss parameter is required and checked (RFC 9207): a response claiming another issuer is refused.
    const forged = new URL(issued.callback);
    forged.searchParams.set('iss', 'https://evil.example');
    assert.throws(() => oauth.validateAuthResponse(as, rp, forged, issued.state));

    const userinfo = await oauth.userInfoRequest(as, rp, 'not-a-token', { [oauth.allowInsecureRequests]: true });
    await assert.rejects(oauth.processUserInfoResponse(as, rp, oauth.skipSubjectCheck, userinfo), (error: unknown) => {
      const challenge = (error as oauth.WWWAuthenticateChallengeError).cause?.[0];
      return challenge?.scheme === 'bearer' && challenge.parameters.error === 'invalid_token';
    });

    // Refresh reuse after the grace window (0 s here) ends the grant: the successor dies too.
    const fresh = await code();
    const granted = await client.authorizationCodeGrant(config, fresh.callback, {
      pkceCodeVerifier: fresh.verifier,
      expectedState: fresh.state,
      expectedNonce: fresh.nonce,
    });
    const next = await client.refreshTokenGrant(config, String(granted.refresh_token));
    await new Promise((resolve) => setTimeout(resolve, 5));
    const reuse = await oauth.refreshTokenGrantRequest(as, rp, oauth.None(), String(granted.refresh_token), {
      [oauth.allowInsecureRequests]: true,
    });
    await assert.rejects(
      oauth.processRefreshTokenResponse(as, rp, reuse),
      (error: unknown) => error instanceof oauth.ResponseBodyError && error.error === 'invalid_grant',
    );
    await assert.rejects(
      client.refreshTokenGrant(config, String(next.refresh_token)),
      (error: unknown) => (error as { error?: string }).error === 'invalid_grant',
    );
  });

  it('post_logout_redirect_uri must be registered for the client exactly: otherwise an error page, no redirect', async () => {
    const issued = await code();
    const tokens = await client.authorizationCodeGrant(config, issued.callback, {
      pkceCodeVerifier: issued.verifier,
      expectedState: issued.state,
      expectedNonce: issued.nonce,
    });
    for (const target of ['https://evil.example/', `${LOGOUT}/x`, `${LOGOUT}?next=https://evil.example`]) {
      const url = client.buildEndSessionUrl(config, { id_token_hint: String(tokens.id_token), post_logout_redirect_uri: target });
      const answer = await jar.fetch(url.href);
      assert.equal(answer.status, 400, target);
      assert.equal(answer.headers.get('location'), null, target);
    }
    const withoutClient = await jar.fetch(`${provider.issuer}/oauth2/logout?post_logout_redirect_uri=${encodeURIComponent(LOGOUT)}`);
    assert.equal(withoutClient.status, 400);
    const posted = await jar.fetch(`${provider.issuer}/oauth2/logout`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ client_id: app.id, post_logout_redirect_uri: 'https://evil.example/' }).toString(),
    });
    assert.equal(posted.status, 400);
    assert.equal(posted.headers.get('location'), null);
    // Without an id_token_hint the user is asked first: no logout by a stray link.
    const stray = await jar.fetch(
      `${provider.issuer}/oauth2/logout?client_id=${app.id}&post_logout_redirect_uri=${encodeURIComponent(LOGOUT)}`,
    );
    assert.equal(stray.status, 302);
    assert.match(String(stray.headers.get('location')), /^\/login\/sign-out\?/);
    assert.ok((await client.fetchUserInfo(config, tokens.access_token, client.skipSubjectCheck)).sub);
  });

  it('every page form refuses a post without the CSRF token; pages and error pages cannot be framed', async () => {
    for (const path of [
      '/login',
      '/login/code',
      '/login/sign-up',
      '/login/forgot-password',
      '/login/reset-password',
      '/login/verify-email',
      '/login/consent',
      '/login/sign-out',
    ]) {
      const fresh = new CookieJar();
      await fresh.fetch(`${provider.issuer}/login`);
      for (const token of [undefined, 'A'.repeat(43)]) {
        const answer = await submit(fresh, `${provider.issuer}${path}`, {
          email: user.email,
          password: user.password,
          ...(token !== undefined && { _csrf: token }),
        });
        assert.equal(answer.status, 403, `${path} ${token ?? 'no token'}`);
      }
    }
    for (const path of [
      '/login',
      '/login/sign-up',
      '/login/forgot-password',
      '/login/signed-out',
      `/oauth2/authorize?client_id=${app.id}&redirect_uri=https://evil.example`,
    ]) {
      const answer = await fetch(`${provider.issuer}${path}`);
      assert.equal(answer.headers.get('x-frame-options'), 'DENY', path);
      assert.match(String(answer.headers.get('content-security-policy')), /frame-ancestors 'none'/, path);
    }
  });
});
