import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import * as client from 'openid-client';
import { generate } from 'otplib';
import type { Page } from 'playwright-core';
import { CookieJar, createUser, discover, registerClient, startProvider, type Provider, type RegisteredClient } from '../oidc/helpers.ts';
import { assertAccessible } from './helpers/axe.ts';
import { type Browser, launchChromium } from './helpers/chromium.ts';
import { watchProblems } from './helpers/page-checks.ts';
import { screenshot } from './helpers/screenshot.ts';

/** The app's own pages (redirect and post-logout URIs): a tiny server that answers anything. */
let appServer: Server;
let REDIRECT = '';
let LOGOUT = '';

/**
 * The hosted pages in headless chromium, with openid-client as the app: it builds the
 * authorization request and checks what comes back; the browser signs in through the real pages.
 * The app's own pages (REDIRECT, LOGOUT) are answered by a small server of the test.
 */
describe('hosted sign-in pages in chromium, with openid-client as the relying party', () => {
  let provider: Provider;
  let browser: Browser;
  let app: RegisteredClient;
  let config: client.Configuration;

  before(async () => {
    appServer = createServer((_request, response) => response.end('app'));
    await new Promise<void>((resolve) => appServer.listen(0, '127.0.0.1', resolve));
    const { port } = appServer.address() as AddressInfo;
    REDIRECT = `http://127.0.0.1:${port}/callback`;
    LOGOUT = `http://127.0.0.1:${port}/bye`;
    provider = await startProvider();
    browser = await launchChromium();
    app = await registerClient(provider, {
      name: 'Chart viewer',
      redirectUris: [REDIRECT],
      postLogoutRedirectUris: [LOGOUT],
      firstParty: true,
    });
    config = await discover(provider, app.id);
  });
  after(async () => {
    await browser?.close();
    await provider?.close();
    appServer?.closeAllConnections();
    await new Promise((resolve) => appServer?.close(resolve));
  });

  async function start(forConfig: client.Configuration, scope: string, extra: Record<string, string> = {}) {
    const verifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const nonce = client.randomNonce();
    const url = client.buildAuthorizationUrl(forConfig, {
      redirect_uri: REDIRECT,
      scope,
      state,
      nonce,
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      ...extra,
    });
    return { url, verifier, state, nonce };
  }

  /** A page of a browser with no cookies: each test starts signed out. */
  async function newPage(language = 'en'): Promise<{ page: Page; problems: string[] }> {
    await browser.context.clearCookies();
    const page = await browser.context.newPage();
    await page.setExtraHTTPHeaders({ 'accept-language': language });
    return { page, problems: watchProblems(page) };
  }

  it('signs in with email and password, code → tokens, ID token checked, userinfo, then RP-initiated logout', async () => {
    const user = await createUser(provider);
    const started = await start(config, 'openid profile email offline_access');
    const { page, problems } = await newPage();
    await page.goto(started.url.href);
    assert.equal(new URL(page.url()).pathname, '/login');
    await assertAccessible(page, 'sign-in');
    await screenshot(page, 'sign-in');
    await page.getByLabel('Email').fill(user.email);
    await page.getByLabel('Password').fill(user.password);
    await Promise.all([page.waitForURL(`${REDIRECT}**`), page.getByRole('button', { name: 'Sign in' }).click()]);
    const tokens = await client.authorizationCodeGrant(config, new URL(page.url()), {
      pkceCodeVerifier: started.verifier,
      expectedState: started.state,
      expectedNonce: started.nonce,
      idTokenExpected: true,
    });
    const claims = tokens.claims();
    assert.equal(claims?.email, user.email);
    assert.deepEqual(claims?.amr, ['pwd']);
    assert.equal((await client.fetchUserInfo(config, tokens.access_token, String(claims?.sub))).email, user.email);
    assert.ok((await client.refreshTokenGrant(config, String(tokens.refresh_token))).access_token);

    await page.goto(
      client.buildEndSessionUrl(config, { id_token_hint: String(tokens.id_token), post_logout_redirect_uri: LOGOUT, state: 'after' }).href,
    );
    assert.equal(page.url(), `${LOGOUT}?state=after`);
    // Signed out: the next request asks for the password again.
    await page.goto((await start(config, 'openid')).url.href);
    assert.equal(new URL(page.url()).pathname, '/login');
    assert.deepEqual(problems, []);
    await page.close();
  });

  it('with MFA on: the code step, amr pwd+otp+mfa; SSO then signs in a second app without a prompt', async () => {
    const user = await createUser(provider);
    const record = await provider.app.core.users.byEmail(provider.projectId, user.email);
    assert.ok(record);
    const project = await provider.app.core.projects.get(provider.projectId);
    const status = await provider.app.core.lifecycle.mfa.status(record, project);
    assert.equal(status.enrolled, false);
    const secret = status.enrolled ? '' : status.secret;
    await provider.app.core.lifecycle.mfa.confirm(record, await generate({ secret }));

    const started = await start(config, 'openid email');
    const { page, problems } = await newPage('de');
    await page.goto(started.url.href);
    await page.getByLabel('E-Mail').fill(user.email);
    await page.getByLabel('Passwort').fill(user.password);
    await page.getByRole('button', { name: 'Anmelden' }).click();
    await page.getByLabel('Code').waitFor();
    await assertAccessible(page, 'code step (de)');
    await page.getByLabel('Code').fill('000000' === (await generate({ secret })) ? '111111' : '000000');
    await page.getByRole('button', { name: 'Weiter' }).click();
    await page.locator('[role=alert]').first().waitFor();
    // The next time step: the enrollment spent the current one.
    await page.getByLabel('Code').fill(await generate({ secret, epoch: Math.floor(Date.now() / 1000) + 30 }));
    await Promise.all([page.waitForURL(`${REDIRECT}**`), page.getByRole('button', { name: 'Weiter' }).click()]);
    const tokens = await client.authorizationCodeGrant(config, new URL(page.url()), {
      pkceCodeVerifier: started.verifier,
      expectedState: started.state,
      expectedNonce: started.nonce,
    });
    assert.deepEqual(tokens.claims()?.amr, ['pwd', 'otp', 'mfa']);

    const second = await registerClient(provider, { name: 'Second app', redirectUris: [REDIRECT], firstParty: true });
    const secondConfig = await discover(provider, second.id);
    const silent = await start(secondConfig, 'openid email', { prompt: 'none' });
    await page.goto(silent.url.href);
    const secondTokens = await client.authorizationCodeGrant(secondConfig, new URL(page.url()), {
      pkceCodeVerifier: silent.verifier,
      expectedState: silent.state,
      expectedNonce: silent.nonce,
    });
    assert.equal(secondTokens.claims()?.email, user.email);
    assert.deepEqual(problems, []);
    await page.close();
  });

  it('consent for a client that is not first party: the accessible names Allow and Deny', async () => {
    const user = await createUser(provider);
    const third = await registerClient(provider, { name: 'Research study', redirectUris: [REDIRECT] });
    const thirdConfig = await discover(provider, third.id);
    const started = await start(thirdConfig, 'openid profile email');
    const { page } = await newPage();
    await page.goto(started.url.href);
    await page.getByLabel('Email').fill(user.email);
    await page.getByLabel('Password').fill(user.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: 'Allow' }).waitFor();
    assert.ok(await page.getByRole('button', { name: 'Deny' }).isVisible());
    assert.match(String(await page.textContent('main')), /Research study/);
    await Promise.all([page.waitForURL(`${REDIRECT}**`), page.getByRole('button', { name: 'Allow' }).click()]);
    const tokens = await client.authorizationCodeGrant(thirdConfig, new URL(page.url()), {
      pkceCodeVerifier: started.verifier,
      expectedState: started.state,
      expectedNonce: started.nonce,
    });
    assert.equal(tokens.claims()?.email, user.email);
    await page.close();
  });

  it('sign up from the sign-in page (self-registration on), then a SMART standalone launch returns patient', async () => {
    const smart = await registerClient(provider, {
      name: 'SMART app',
      redirectUris: [REDIRECT],
      firstParty: true,
      scopes: ['openid', 'fhirUser', 'launch/patient', 'patient/*.rs'],
    });
    const smartConfig = await discover(provider, smart.id);
    const started = await start(smartConfig, 'launch/patient openid fhirUser patient/*.rs');
    const { page } = await newPage();
    await page.goto(started.url.href);
    await page.getByRole('link', { name: /Create one/ }).click();
    const email = `smart.${Date.now()}@example.com`;
    await page.getByLabel('First name').fill('Ada');
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill('a long enough passphrase');
    await Promise.all([page.waitForURL(`${REDIRECT}**`), page.getByRole('button', { name: 'Create account' }).click()]);
    const tokens = await client.authorizationCodeGrant(smartConfig, new URL(page.url()), {
      pkceCodeVerifier: started.verifier,
      expectedState: started.state,
      expectedNonce: started.nonce,
    });
    assert.match(String(tokens.patient), /^[0-9a-f-]{36}$/);
    assert.equal(tokens.claims()?.fhirUser, `Patient/${String(tokens.patient)}`);
    await page.close();
  });

  it('axe finds no serious or critical violation on any page, in English and German', async () => {
    const user = await createUser(provider);
    const third = await registerClient(provider, { name: 'Axe app', redirectUris: [REDIRECT] });
    const thirdConfig = await discover(provider, third.id);
    const jar = new CookieJar();
    await jar.fetch(`${provider.issuer}/login`);
    for (const language of ['en', 'de']) {
      const { page, problems } = await newPage(language);
      const check = async (path: string, label: string) => {
        await page.goto(path.startsWith('http') ? path : `${provider.issuer}${path}`);
        await assertAccessible(page, `${label} (${language})`);
        assert.equal(await page.getAttribute('html', 'lang'), language, label);
      };
      await check('/login', 'sign-in');
      await check('/login/sign-up', 'sign-up');
      await check('/login/forgot-password', 'forgot password');
      await check('/login/reset-password?id=x&secret=y', 'reset password');
      await check('/login/verify-email?id=x&secret=y', 'verify email');
      await check('/login/signed-out', 'signed out');
      await check(`/login/sign-out?client_id=${app.id}`, 'sign out?');
      await check(`/oauth2/authorize?client_id=${app.id}&redirect_uri=https://evil.example/`, 'error page');
      // The consent page: signed in, third-party client.
      await page.goto((await start(thirdConfig, 'openid email offline_access')).url.href);
      if (new URL(page.url()).pathname === '/login') {
        await page.locator('#field-email').fill(user.email);
        await page.locator('#field-password').fill(user.password);
        await page.locator('button[type=submit]').click();
      }
      await page.waitForURL(/\/login\/consent/);
      await assertAccessible(page, `consent (${language})`);
      await check('/login', 'signed-in page');
      assert.deepEqual(problems, []);
      await page.close();
    }
  });
});
