import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as jose from 'jose';
import * as client from 'openid-client';
import { ADMIN_TOKEN, json } from '../helpers/app.ts';
import { linkIn, outboxFor } from '../lifecycle/helpers.ts';
import { CookieJar, createUser, discover, hiddenField, registerClient, startProvider, submit, type Provider } from './helpers.ts';

const REDIRECT = 'http://127.0.0.1/callback';
const LOGOUT = 'http://127.0.0.1/signed-out';

interface Started {
  readonly url: URL;
  readonly verifier: string;
  readonly state: string;
  readonly nonce: string;
}

async function authorizationUrl(config: client.Configuration, scope: string, extra: Record<string, string> = {}): Promise<Started> {
  const verifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const nonce = client.randomNonce();
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: REDIRECT,
    scope,
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    nonce,
    ...extra,
  });
  return { url, verifier, state, nonce };
}

/** Opens the authorization URL; when the sign-in page comes, signs in over HTTP (form + CSRF token). Returns the app's callback URL. */
async function signInOverHttp(provider: Provider, jar: CookieJar, url: URL, user?: { email: string; password: string }): Promise<URL> {
  const start = await jar.fetch(url.href);
  assert.equal(start.status, 302);
  const location = new URL(String(start.headers.get('location')), provider.issuer);
  if (location.origin !== provider.issuer || user === undefined) return location;
  assert.equal(location.pathname, '/login');
  const html = await (await jar.fetch(location.href)).text();
  const answer = await submit(jar, `${provider.issuer}/login`, {
    _csrf: hiddenField(html, '_csrf'),
    interaction: hiddenField(html, 'interaction'),
    email: user.email,
    password: user.password,
  });
  assert.equal(answer.status, 303, await answer.clone().text());
  return new URL(String(answer.headers.get('location')), provider.issuer);
}

describe('OpenID provider with openid-client (pages driven over HTTP)', () => {
  let provider: Provider;
  let config: client.Configuration;
  let user: { email: string; password: string };
  let clientId: string;
  before(async () => {
    provider = await startProvider();
    user = await createUser(provider);
    const registered = await registerClient(provider, { redirectUris: [REDIRECT], postLogoutRedirectUris: [LOGOUT], firstParty: true });
    clientId = registered.id;
    config = await discover(provider, clientId);
  });
  after(async () => provider?.close());

  it('discovery is complete per OpenID Discovery and RFC 9207/7636, and SMART has its own document', async () => {
    const metadata = config.serverMetadata();
    assert.equal(metadata.issuer, provider.issuer);
    for (const endpoint of [
      'authorization_endpoint',
      'token_endpoint',
      'userinfo_endpoint',
      'revocation_endpoint',
      'introspection_endpoint',
      'end_session_endpoint',
      'jwks_uri',
    ] as const) {
      assert.ok(String(metadata[endpoint]).startsWith(`${provider.issuer}/`), endpoint);
    }
    assert.deepEqual(metadata.code_challenge_methods_supported, ['S256']);
    assert.equal(metadata.authorization_response_iss_parameter_supported, true);
    assert.deepEqual(metadata.response_types_supported, ['code']);
    assert.ok(metadata.grant_types_supported?.includes('client_credentials'));
    const smart = (await (await fetch(`${provider.issuer}/.well-known/smart-configuration`)).json()) as Record<string, unknown>;
    assert.ok((smart.capabilities as string[]).includes('launch-standalone'));
    assert.ok((smart.scopes_supported as string[]).includes('launch/patient'));
  });

  it('code → tokens, ID token, userinfo, refresh rotation with reuse detection, revocation', async () => {
    const started = await authorizationUrl(config, 'openid profile email offline_access');
    const callback = await signInOverHttp(provider, new CookieJar(), started.url, user);
    assert.equal(callback.searchParams.get('iss'), provider.issuer);
    const tokens = await client.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: started.verifier,
      expectedState: started.state,
      expectedNonce: started.nonce,
      idTokenExpected: true,
    });
    const claims = tokens.claims();
    assert.ok(claims);
    assert.equal(claims.aud, clientId);
    assert.equal(claims.email, user.email);
    assert.equal(claims.email_verified, false);
    assert.equal(claims.given_name, 'John');
    assert.deepEqual(claims.amr, ['pwd']);
    assert.ok(typeof claims.auth_time === 'number' && typeof claims.sid === 'string');
    const info = await client.fetchUserInfo(config, tokens.access_token, claims.sub);
    assert.equal(info.email, user.email);
    assert.equal(info.family_name, 'Doe');
    // The access token is a Gatehouse bearer token: the contracts accept it too.
    assert.equal(
      (await provider.app.inject({ method: 'GET', url: '/auth/me', headers: { authorization: `Bearer ${tokens.access_token}` } }))
        .statusCode,
      200,
    );

    assert.ok(tokens.refresh_token);
    const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token);
    assert.notEqual(refreshed.refresh_token, tokens.refresh_token);
    assert.equal(refreshed.claims()?.sub, claims.sub);
    // Within the retry grace window a reused token gets a sibling and the grant lives on (reuse after it: attacks.test.ts).
    const retry = await client.refreshTokenGrant(config, tokens.refresh_token);
    assert.ok(retry.refresh_token);

    await client.tokenRevocation(config, String(refreshed.refresh_token));
    await assert.rejects(
      client.refreshTokenGrant(config, String(refreshed.refresh_token)),
      (error: unknown) => (error as { error?: string }).error === 'invalid_grant',
    );
    // Revoking either token ends the grant: the access token no longer works.
    await assert.rejects(client.fetchUserInfo(config, refreshed.access_token, claims.sub));
  });

  it('SSO: a second app of the project signs in without a prompt; prompt=none with and without a session', async () => {
    const other = await registerClient(provider, { redirectUris: [REDIRECT], firstParty: true });
    const otherConfig = await discover(provider, other.id);
    const jar = new CookieJar();
    // No session yet: prompt=none answers login_required to the app, with state and iss.
    const silent = await authorizationUrl(otherConfig, 'openid', { prompt: 'none' });
    const refused = await signInOverHttp(provider, jar, silent.url);
    assert.equal(refused.origin + refused.pathname, REDIRECT);
    assert.equal(refused.searchParams.get('error'), 'login_required');
    assert.equal(refused.searchParams.get('state'), silent.state);
    assert.equal(refused.searchParams.get('iss'), provider.issuer);

    const first = await authorizationUrl(config, 'openid email');
    const firstCallback = await signInOverHttp(provider, jar, first.url, user);
    await client.authorizationCodeGrant(config, firstCallback, {
      pkceCodeVerifier: first.verifier,
      expectedState: first.state,
      expectedNonce: first.nonce,
    });

    const second = await authorizationUrl(otherConfig, 'openid email', { prompt: 'none' });
    const secondCallback = await signInOverHttp(provider, jar, second.url);
    assert.ok(secondCallback.searchParams.get('code'), secondCallback.href);
    const tokens = await client.authorizationCodeGrant(otherConfig, secondCallback, {
      pkceCodeVerifier: second.verifier,
      expectedState: second.state,
      expectedNonce: second.nonce,
    });
    assert.equal(tokens.claims()?.email, user.email);

    // prompt=login asks again although a session exists; max_age=0 too.
    const reasons: Array<Record<string, string>> = [{ prompt: 'login' }, { max_age: '0' }];
    for (const extra of reasons) {
      const again = await authorizationUrl(config, 'openid', extra);
      const answer = await jar.fetch(again.url.href);
      assert.equal(new URL(String(answer.headers.get('location')), provider.issuer).pathname, '/login', JSON.stringify(extra));
    }
  });

  it('a client that is not first party asks for consent; Deny sends access_denied, Allow is remembered', async () => {
    const thirdParty = await registerClient(provider, { name: 'Third party', redirectUris: [REDIRECT] });
    const thirdConfig = await discover(provider, thirdParty.id);
    const jar = new CookieJar();
    const denied = await authorizationUrl(thirdConfig, 'openid profile');
    let location = await signInOverHttp(provider, jar, denied.url, user);
    assert.equal(location.pathname, '/login/consent');
    let html = await (await jar.fetch(location.href)).text();
    assert.match(html, /Third party/);
    let answer = await submit(jar, `${provider.issuer}/login/consent`, {
      _csrf: hiddenField(html, '_csrf'),
      interaction: hiddenField(html, 'interaction'),
      decision: 'deny',
    });
    const deniedCallback = new URL(String(answer.headers.get('location')));
    assert.equal(deniedCallback.searchParams.get('error'), 'access_denied');
    assert.equal(deniedCallback.searchParams.get('state'), denied.state);

    const allowed = await authorizationUrl(thirdConfig, 'openid profile');
    location = await signInOverHttp(provider, jar, allowed.url);
    assert.equal(location.pathname, '/login/consent');
    html = await (await jar.fetch(location.href)).text();
    answer = await submit(jar, `${provider.issuer}/login/consent`, {
      _csrf: hiddenField(html, '_csrf'),
      interaction: hiddenField(html, 'interaction'),
      decision: 'allow',
    });
    const tokens = await client.authorizationCodeGrant(thirdConfig, new URL(String(answer.headers.get('location'))), {
      pkceCodeVerifier: allowed.verifier,
      expectedState: allowed.state,
      expectedNonce: allowed.nonce,
    });
    assert.ok(tokens.id_token);
    // Remembered: prompt=none now gets a code.
    const silent = await authorizationUrl(thirdConfig, 'openid profile', { prompt: 'none' });
    assert.ok((await signInOverHttp(provider, jar, silent.url)).searchParams.get('code'));
    // A broader request asks again, and prompt=none says so.
    const broader = await authorizationUrl(thirdConfig, 'openid profile email', { prompt: 'none' });
    assert.equal((await signInOverHttp(provider, jar, broader.url)).searchParams.get('error'), 'consent_required');
  });

  it('end session: with id_token_hint the browser session ends and the registered URI gets state; online tokens end, offline ones live', async () => {
    const jar = new CookieJar();
    const started = await authorizationUrl(config, 'openid email');
    const tokens = await client.authorizationCodeGrant(config, await signInOverHttp(provider, jar, started.url, user), {
      pkceCodeVerifier: started.verifier,
      expectedState: started.state,
      expectedNonce: started.nonce,
    });
    const offline = await authorizationUrl(config, 'openid offline_access');
    const offlineTokens = await client.authorizationCodeGrant(config, await signInOverHttp(provider, jar, offline.url), {
      pkceCodeVerifier: offline.verifier,
      expectedState: offline.state,
      expectedNonce: offline.nonce,
    });
    const logoutUrl = client.buildEndSessionUrl(config, {
      id_token_hint: String(tokens.id_token),
      post_logout_redirect_uri: LOGOUT,
      state: 'bye',
    });
    const answer = await jar.fetch(logoutUrl.href);
    assert.equal(answer.status, 302);
    assert.equal(answer.headers.get('location'), `${LOGOUT}?state=bye`);
    await assert.rejects(client.fetchUserInfo(config, tokens.access_token, client.skipSubjectCheck));
    assert.ok((await client.refreshTokenGrant(config, String(offlineTokens.refresh_token))).access_token);
    // The browser session is gone: prompt=none is refused.
    const silent = await authorizationUrl(config, 'openid', { prompt: 'none' });
    assert.equal((await signInOverHttp(provider, jar, silent.url)).searchParams.get('error'), 'login_required');
  });

  it('client_credentials for a confidential client; introspection for confidential clients only', async () => {
    const service = await registerClient(provider, { type: 'confidential', grantTypes: ['client_credentials'], scopes: ['system/*.rs'] });
    assert.ok(service.secret);
    const serviceConfig = await discover(provider, service.id, service.secret);
    const granted = await client.clientCredentialsGrant(serviceConfig, { scope: 'system/Patient.rs' });
    assert.equal(granted.scope, 'system/Patient.rs');
    assert.equal(granted.refresh_token, undefined);
    const { payload } = await jose.jwtVerify(
      granted.access_token,
      jose.createRemoteJWKSet(new URL(`${provider.issuer}/.well-known/jwks.json`)),
      { issuer: provider.issuer },
    );
    assert.equal(payload.sub, service.id);
    // A machine token is no user's: the contracts refuse it.
    assert.equal(
      (await provider.app.inject({ method: 'GET', url: '/auth/me', headers: { authorization: `Bearer ${granted.access_token}` } }))
        .statusCode,
      401,
    );

    const introspected = await client.tokenIntrospection(serviceConfig, granted.access_token);
    assert.equal(introspected.active, true);
    assert.equal(introspected.client_id, service.id);
    await client.tokenRevocation(serviceConfig, granted.access_token);
    assert.equal((await client.tokenIntrospection(serviceConfig, granted.access_token)).active, false);
    // A user's token of the same project, then a public client asking: 401 invalid_client.
    assert.equal((await client.tokenIntrospection(serviceConfig, (await createUser(provider)).accessToken)).active, true);
    await assert.rejects(
      client.tokenIntrospection(config, granted.access_token),
      (error: unknown) => (error as { status?: number }).status === 401,
    );
    const raw = await fetch(`${provider.issuer}/oauth2/introspect`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `client_id=${clientId}&token=x`,
    });
    assert.equal(raw.status, 401);
    assert.equal(((await raw.json()) as { error: string }).error, 'invalid_client');
  });

  it('SMART standalone launch: patient in the token response, fhirUser in the ID token, resource scopes within the allowed ones', async () => {
    const smart = await registerClient(provider, {
      redirectUris: [REDIRECT],
      firstParty: true,
      scopes: ['openid', 'fhirUser', 'launch/patient', 'offline_access', 'patient/*.rs'],
    });
    const smartConfig = await discover(provider, smart.id);
    const started = await authorizationUrl(
      smartConfig,
      'launch/patient openid fhirUser offline_access patient/Observation.rs patient/Patient.cruds user/*.rs',
      {
        aud: `${provider.issuer}/fhir/R4`,
      },
    );
    const tokens = await client.authorizationCodeGrant(smartConfig, await signInOverHttp(provider, new CookieJar(), started.url, user), {
      pkceCodeVerifier: started.verifier,
      expectedState: started.state,
      expectedNonce: started.nonce,
    });
    const profile = await provider.app.core.users.profileOf(String(tokens.claims()?.sub));
    assert.equal(profile.resource_type, 'Patient');
    const patientId = profile.id;
    assert.equal(tokens.patient, patientId);
    assert.equal(tokens.claims()?.fhirUser, `Patient/${patientId}`);
    // Granted as asked within patient/*.rs: Observation.rs yes; Patient.cruds (writes) and user/* no.
    assert.equal(tokens.scope, 'launch/patient openid fhirUser offline_access patient/Observation.rs');
    const refreshed = await client.refreshTokenGrant(smartConfig, String(tokens.refresh_token));
    assert.equal(refreshed.patient, patientId);
  });

  it('admin API: a confidential client gets its secret once; rotation replaces it; existing clients keep their shape', async () => {
    const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };
    const confidential = await registerClient(provider, { type: 'confidential', redirectUris: [REDIRECT] });
    assert.match(String(confidential.secret), /^ghcs_/);
    const listed = json<Array<Record<string, unknown>>>(
      await provider.app.inject({ method: 'GET', url: `/admin/projects/${provider.projectId}/clients`, headers: admin }),
    );
    const entry = listed.find((item) => item.id === confidential.id);
    assert.equal(entry?.secret, undefined);
    assert.equal(entry?.type, 'confidential');
    const rotated = await provider.app.inject({
      method: 'POST',
      url: `/admin/projects/${provider.projectId}/clients/${confidential.id}/rotate-secret`,
      headers: admin,
    });
    assert.equal(rotated.statusCode, 200);
    const secret = json<{ secret: string }>(rotated).secret;
    assert.notEqual(secret, confidential.secret);
    const oldConfig = await discover(provider, confidential.id, String(confidential.secret));
    await assert.rejects(client.refreshTokenGrant(oldConfig, 'ghr_x'), (error: unknown) => (error as { status?: number }).status === 401);
    const newConfig = await discover(provider, confidential.id, secret);
    await assert.rejects(
      client.refreshTokenGrant(newConfig, 'ghr_x'),
      (error: unknown) => (error as { error?: string }).error === 'invalid_grant',
    );
    const bad = await provider.app.inject({
      method: 'POST',
      url: `/admin/projects/${provider.projectId}/clients`,
      headers: admin,
      payload: { name: 'x', redirectUris: ['http://evil.example/cb'] },
    });
    assert.equal(bad.statusCode, 422);
    const publicRotation = await provider.app.inject({
      method: 'POST',
      url: `/admin/projects/${provider.projectId}/clients/${clientId}/rotate-secret`,
      headers: admin,
    });
    assert.equal(publicRotation.statusCode, 409);
  });

  it('the pages mail their own links: sign up → verify email; forgot password → reset → sign in with the new password', async () => {
    const jar = new CookieJar();
    const email = `pages.${Date.now()}@example.com`;
    let html = await (await jar.fetch(`${provider.issuer}/login/sign-up`)).text();
    const created = await submit(jar, `${provider.issuer}/login/sign-up`, {
      _csrf: hiddenField(html, '_csrf'),
      email,
      password: 'first passphrase 123',
      firstName: 'Pat',
    });
    assert.equal(created.status, 200);
    assert.match(await created.text(), /You are signed in as/);
    const verification = linkIn(await outboxFor(provider.app, email, (item) => item.kind === 'verify-email'), 'verify-email');
    assert.equal(verification.origin, provider.issuer);
    const landing = await jar.fetch(verification.href);
    assert.equal(landing.status, 302);
    html = await (await jar.fetch(new URL(String(landing.headers.get('location')), provider.issuer).href)).text();
    const verified = await submit(jar, `${provider.issuer}/login/verify-email`, {
      _csrf: hiddenField(html, '_csrf'),
      id: hiddenField(html, 'id'),
      secret: hiddenField(html, 'secret'),
    });
    assert.equal(verified.status, 303);
    assert.equal((await provider.app.core.users.byEmail(provider.projectId, email))?.email_verified, true);

    html = await (await jar.fetch(`${provider.issuer}/login/forgot-password`)).text();
    const asked = await submit(jar, `${provider.issuer}/login/forgot-password`, { _csrf: hiddenField(html, '_csrf'), email });
    assert.equal(asked.status, 303);
    const reset = linkIn(await outboxFor(provider.app, email, (item) => item.kind === 'password-reset'), 'reset-password');
    assert.equal(reset.pathname, '/login/reset-password');
    html = await (await jar.fetch(reset.href)).text();
    const changed = await submit(jar, `${provider.issuer}/login/reset-password`, {
      _csrf: hiddenField(html, '_csrf'),
      id: hiddenField(html, 'id'),
      secret: hiddenField(html, 'secret'),
      password: 'second passphrase 456',
    });
    assert.equal(changed.status, 303);
    html = await (await jar.fetch(`${provider.issuer}/login`)).text();
    assert.match(html, /Your password was changed/);
    const signedIn = await submit(jar, `${provider.issuer}/login`, {
      _csrf: hiddenField(html, '_csrf'),
      email,
      password: 'second passphrase 456',
    });
    assert.equal(signedIn.status, 200);
    assert.match(await signedIn.text(), /You are signed in as/);
    const wrong = await submit(jar, `${provider.issuer}/login`, {
      _csrf: hiddenField(html, '_csrf'),
      email,
      password: 'first passphrase 123',
    });
    assert.equal(wrong.status, 401);
    assert.match(await wrong.text(), /email address or password is not correct/);
  });
});
