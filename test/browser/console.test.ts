import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { generate } from 'otplib';
import type { Page } from 'playwright-core';
import { CLI_ACTOR } from '../../src/core/use-cases/actor.ts';
import { json } from '../helpers/app.ts';
import { ovokLogin, ovokRegister, uniqueEmail } from '../helpers/ovok.ts';
import { startProvider, type Provider } from '../oidc/helpers.ts';
import { assertAccessible } from './helpers/axe.ts';
import { type Browser, launchChromium } from './helpers/chromium.ts';
import { assertNoHorizontalScroll, watchProblems } from './helpers/page-checks.ts';
import { screenshot } from './helpers/screenshot.ts';

const PASSWORD = 'operator password 123';
const MANY = 10_000;

/** Every console page a test opened (the last test checks none was left out). */
const visited = new Set<string>();

/**
 * The operators' console in chromium: operators sign in through the hosted sign-in pages (code +
 * PKCE), then find, inspect and help users among many, manage projects, keys and imports. Each
 * page is checked with axe-core; the overview and a user page are the README's screenshots.
 */
describe('operators console in chromium', () => {
  let provider: Provider;
  let browser: Browser;
  // Each run has a fresh database: fixed addresses keep the screenshots readable.
  const admin = { email: 'operator@example.com', password: PASSWORD };
  const support = { email: uniqueEmail('console-support'), password: PASSWORD };
  let prefix = '';

  before(async () => {
    provider = await startProvider({ BRUTE_FORCE: 'on', BRUTE_FORCE_MAX_FAILURES: '3', BRUTE_FORCE_WAIT_SECONDS: '60' });
    browser = await launchChromium();
    const api = provider.app.core.api;
    await api.operators.create(CLI_ACTOR, { email: admin.email, role: 'admin', password: PASSWORD });
    await api.operators.create(CLI_ACTOR, { email: support.email, role: 'support', password: PASSWORD });
    // Many users through the import use case (one bulk statement per batch, not one request each).
    prefix = `many${process.pid}x${Date.now()}`;
    const lines = Array.from(
      { length: MANY },
      (_, n) => `${JSON.stringify({ email: `${prefix}.${n}@example.com`, name: 'Many', surname: `User ${n}` })}\n`,
    );
    const report = await api.migration.importUsers(Readable.from(lines), {
      projectId: provider.projectId,
      format: 'gatehouse',
      via: 'cli',
    });
    assert.equal(report.imported, MANY);
  });
  after(async () => {
    await browser?.close();
    await provider?.close();
  });

  /** A new page of a browser without cookies, watching for CSP violations and failed assets. */
  async function newPage(): Promise<{ page: Page; problems: string[] }> {
    await browser.context.clearCookies();
    const page = await browser.context.newPage();
    await page.setExtraHTTPHeaders({ 'accept-language': 'en' });
    const problems = watchProblems(page);
    page.on('load', () => visited.add(new URL(page.url()).pathname.replace(/[0-9a-f]{8}-[0-9a-f-]{27}/g, ':id')));
    return { page, problems };
  }

  async function signIn(page: Page, operator: { email: string; password: string }, start = '/console'): Promise<void> {
    await page.goto(`${provider.issuer}${start}`);
    assert.equal(new URL(page.url()).pathname, '/login', 'an operator without a session is sent to the hosted sign-in');
    await page.getByLabel('Email').fill(operator.email);
    await page.getByLabel('Password').fill(operator.password);
    await Promise.all([page.waitForURL(`${provider.issuer}${start}`), page.getByRole('button', { name: 'Sign in' }).click()]);
  }

  async function check(page: Page, label: string): Promise<void> {
    await assertAccessible(page, label);
  }

  it('an admin signs in through the hosted sign-in and sees the overview; the cookie is HttpOnly and SameSite=Strict', async () => {
    const { page, problems } = await newPage();
    await ovokLogin(provider.app, provider.clientId, `${prefix}.1@example.com`, 'wrong').catch(() => undefined);
    await signIn(page, admin);
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    const cookie = (await browser.context.cookies()).find((each) => each.name === 'gatehouse-console');
    assert.ok(cookie, 'console session cookie set');
    assert.equal(cookie.httpOnly, true);
    assert.equal(cookie.sameSite, 'Strict');
    const users = await page.locator('.tile', { hasText: 'Users' }).first().locator('.tile-value').textContent();
    assert.ok(Number(users?.replace(/,/g, '')) >= MANY, `users tile shows ${users}`);
    assert.equal(await page.locator('svg.chart rect.bar-failure').count(), 24);
    const csp = (await page.request.get(`${provider.issuer}/console`)).headers()['content-security-policy'] ?? '';
    assert.match(csp, /frame-ancestors 'none'/);
    assert.doesNotMatch(csp, /unsafe-inline/);
    await check(page, 'overview');
    await screenshot(page, 'console-overview');
    await page.setViewportSize({ width: 390, height: 800 });
    await assertNoHorizontalScroll(page, 'overview at 390 px');
    await page.setViewportSize({ width: 1280, height: 800 });
    assert.deepEqual(problems, []);
    await page.close();
  });

  it(`finds one user among ${MANY.toLocaleString('en')}, opens them, ends their sessions (their token is refused at once)`, async () => {
    const target = await ovokRegister(provider.app, provider.clientId, {
      email: 'ada.lovelace@example.com',
      name: 'Ada',
      surname: 'Lovelace',
    });
    const me = () =>
      provider.app.inject({ method: 'GET', url: '/auth/me', headers: { authorization: `Bearer ${target.tokens.accessToken}` } });
    assert.equal((await me()).statusCode, 200);
    const { page, problems } = await newPage();
    await signIn(page, admin, '/console/users');
    await page.getByLabel('Email, account, name, number or id').fill(`${prefix}.4242`);
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByRole('link', { name: `${prefix}.4242@example.com` }).waitFor();
    assert.equal(await page.locator('table.list tbody tr').count(), 1);
    // Paging: 50 a page across the many, the next page starts after the last.
    await page.getByLabel('Email, account, name, number or id').fill(prefix);
    await page.getByRole('button', { name: 'Search' }).click();
    assert.equal(await page.locator('table.list tbody tr').count(), 50);
    const lastOfFirst = await page.locator('table.list tbody tr').last().locator('a').textContent();
    await page.getByRole('link', { name: 'Next page' }).click();
    assert.equal(await page.locator('table.list tbody tr').count(), 50);
    assert.notEqual(await page.locator('table.list tbody tr').first().locator('a').textContent(), lastOfFirst);
    await check(page, 'users');
    await page.setViewportSize({ width: 390, height: 800 });
    await assertNoHorizontalScroll(page, 'users at 390 px');
    await page.setViewportSize({ width: 1280, height: 800 });

    await page.getByLabel('Email, account, name, number or id').fill(target.email);
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByRole('link', { name: target.email }).click();
    await page.getByRole('heading', { name: target.email }).waitFor();
    assert.equal(await page.locator('#sessions-heading').textContent(), 'Sessions (1)');
    await check(page, 'user page');
    await screenshot(page, 'console-user');
    await page.setViewportSize({ width: 390, height: 800 });
    await assertNoHorizontalScroll(page, 'user page at 390 px');
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.getByRole('button', { name: 'End all sessions' }).click();
    await page.getByRole('status').filter({ hasText: 'Every session of the user was ended.' }).waitFor();
    assert.equal((await me()).statusCode, 401, 'the ended session’s access token is refused at once');
    assert.equal(await page.locator('#sessions-heading').textContent(), 'Sessions (0)');

    // One session at a time.
    const again = await ovokLogin(provider.app, provider.clientId, target.email, target.password);
    await page.reload();
    await page.getByRole('button', { name: 'End', exact: true }).click();
    await page.getByRole('status').filter({ hasText: 'The session was ended.' }).waitFor();
    const meAgain = await provider.app.inject({
      method: 'GET',
      url: '/auth/me',
      headers: { authorization: `Bearer ${again.accessToken}` },
    });
    assert.equal(meAgain.statusCode, 401);
    assert.deepEqual(problems, []);
    await page.close();
  });

  it('unlocks a user after a lockout, and sends a password reset that appears in the outbox', async () => {
    const user = await ovokRegister(provider.app, provider.clientId, { email: uniqueEmail('console-locked') });
    for (let attempt = 0; attempt < 4; attempt += 1) {
      await provider.app.inject({
        method: 'POST',
        url: '/v2/auth/login',
        payload: { email: user.email, password: 'wrong', clientId: provider.clientId },
      });
    }
    await assert.rejects(ovokLogin(provider.app, provider.clientId, user.email, user.password), /login failed: 429/);
    const { page, problems } = await newPage();
    await signIn(page, admin, `/console/users?q=${encodeURIComponent(user.email)}`);
    await page.getByRole('link', { name: user.email }).click();
    assert.match((await page.locator('dt:text-is("Locked out") + dd').textContent()) ?? '', /^Yes/);
    await page.getByRole('button', { name: 'Unlock' }).click();
    await page.getByRole('status').filter({ hasText: 'unlocked' }).waitFor();
    assert.ok((await ovokLogin(provider.app, provider.clientId, user.email, user.password)).accessToken);

    await page.getByRole('button', { name: 'Send password-reset email' }).click();
    await page.getByRole('status').filter({ hasText: 'password-reset email' }).waitFor();
    const outbox = await provider.app.core.api.admin.outbox({ to: user.email, limit: 10 });
    assert.ok(
      outbox.items.some((mail) => mail.kind === 'password_reset' || /reset/i.test(mail.subject)),
      'reset mail in the outbox',
    );
    assert.deepEqual(problems, []);
    await page.close();
  });

  it('a support operator sees no delete or settings buttons, and the admin API answers 403 to its cookie', async () => {
    const user = await ovokRegister(provider.app, provider.clientId, { email: uniqueEmail('console-support-view') });
    const found = await provider.app.core.api.users.find(CLI_ACTOR, { query: user.email, limit: 1 });
    const id = found.users[0]?.id ?? '';
    const { page, problems } = await newPage();
    await signIn(page, support, `/console/users/${id}`);
    await page.getByRole('heading', { name: user.email }).waitFor();
    assert.ok(await page.getByRole('button', { name: 'Unlock' }).isVisible());
    assert.ok(await page.getByRole('button', { name: 'End all sessions' }).isVisible());
    assert.equal(await page.getByRole('button', { name: 'Delete user' }).count(), 0);
    assert.equal(await page.getByRole('button', { name: 'Disable' }).count(), 0);
    await page.goto(`${provider.issuer}/console/projects/${provider.projectId}`);
    assert.equal(await page.getByRole('button', { name: 'Save settings' }).count(), 0);
    assert.equal(await page.getByRole('button', { name: 'Create client' }).count(), 0);
    await page.goto(`${provider.issuer}/console/security`);
    assert.equal(await page.getByRole('button', { name: 'Rotate signing keys' }).count(), 0);
    await page.goto(`${provider.issuer}/console/import`);
    assert.equal(await page.getByRole('button', { name: 'Import' }).count(), 0);

    const cookies = await browser.context.cookies();
    const session = cookies.find((each) => each.name === 'gatehouse-console')?.value ?? '';
    const csrf = cookies.find((each) => each.name === 'gatehouse-csrf')?.value ?? '';
    const headers = { cookie: `gatehouse-console=${session}; gatehouse-csrf=${csrf}`, 'x-csrf-token': csrf };
    const read = await provider.app.inject({ method: 'GET', url: `/admin/users/${id}`, headers });
    assert.equal(read.statusCode, 200, 'the console cookie reads through the admin API');
    const removed = await provider.app.inject({ method: 'DELETE', url: `/admin/users/${id}`, headers });
    assert.equal(removed.statusCode, 403, removed.body);
    const rotate = await provider.app.inject({ method: 'POST', url: '/admin/keys/rotate', headers });
    assert.equal(rotate.statusCode, 403);
    const withoutCsrf = await provider.app.inject({
      method: 'POST',
      url: `/admin/users/${id}/unlock`,
      headers: { cookie: headers.cookie },
    });
    assert.equal(withoutCsrf.statusCode, 403, 'a change through the admin API needs the CSRF header');
    const unlock = await provider.app.inject({ method: 'POST', url: `/admin/users/${id}/unlock`, headers });
    assert.equal(unlock.statusCode, 204, 'a support operator may unlock');
    assert.equal(json<{ user: { id: string } }>(read).user.id, id);
    assert.deepEqual(problems, []);
    await page.close();
  });

  it('the admin token does not open the console; signing out ends the session', async () => {
    const response = await provider.app.inject({
      method: 'GET',
      url: '/console',
      headers: { authorization: 'Bearer test-admin-token-0123456789' },
    });
    assert.equal(response.statusCode, 303);
    assert.match(String(response.headers.location), /^\/oauth2\/authorize\?/);
    const { page, problems } = await newPage();
    await signIn(page, admin);
    const session = (await browser.context.cookies()).find((each) => each.name === 'gatehouse-console')?.value ?? '';
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(`${provider.issuer}/console/signed-out`);
    await check(page, 'signed out');
    const after = await provider.app.inject({ method: 'GET', url: '/admin/users', headers: { cookie: `gatehouse-console=${session}` } });
    assert.equal(after.statusCode, 401, 'the ended console session opens nothing');
    // The browser session ended too: the console asks for the password again.
    await page.goto(`${provider.issuer}/console`);
    assert.equal(new URL(page.url()).pathname, '/login');
    assert.deepEqual(problems, []);
    await page.close();
  });

  it('creates an OAuth client and sees its secret once, rotates it, saves project settings', async () => {
    const { page, problems } = await newPage();
    await signIn(page, admin, '/console/projects');
    await check(page, 'projects');
    await page.getByRole('link', { name: 'Default Project' }).click();
    await page.getByRole('heading', { name: 'Default Project' }).waitFor();
    await page.getByText('password-reset: Reset your Default Project password').click();
    assert.match((await page.locator('details[open] pre').textContent()) ?? '', /Hello Ada Lovelace/);
    await check(page, 'project');
    await page.setViewportSize({ width: 390, height: 800 });
    await assertNoHorizontalScroll(page, 'project at 390 px');
    await page.setViewportSize({ width: 1280, height: 800 });

    await page.getByLabel('Name', { exact: true }).last().fill('Billing backend');
    await page.getByLabel('Confidential (server, with a secret)').check();
    await page.getByLabel('Redirect URIs', { exact: true }).fill('https://billing.example.com/callback');
    await page.getByRole('button', { name: 'Create client' }).click();
    await page.getByRole('heading', { name: 'Client created' }).waitFor();
    await check(page, 'client created');
    const secret = (await page.locator('[data-secret]').textContent()) ?? '';
    assert.match(secret, /^ghcs_/);
    const clientId = (await page.locator('dt:text-is("Client id") + dd code').textContent()) ?? '';
    // The secret works at the token endpoint, and is nowhere on the project page afterwards.
    const grant = (value: string) =>
      provider.app.inject({
        method: 'POST',
        url: '/oauth2/token',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          authorization: `Basic ${Buffer.from(`${clientId}:${value}`).toString('base64')}`,
        },
        payload: 'grant_type=refresh_token&refresh_token=ghr_nothing',
      });
    assert.notEqual((await grant(secret)).statusCode, 401, 'the shown secret authenticates the client');
    await page.getByRole('link', { name: 'Back to the project' }).click();
    assert.equal(await page.getByText(secret).count(), 0, 'the secret is shown once');
    const row = page.locator('tr', { hasText: 'Billing backend' });
    await row.getByRole('button', { name: 'Rotate secret' }).click();
    await page.getByRole('heading', { name: 'New client secret' }).waitFor();
    const rotated = (await page.locator('[data-secret]').textContent()) ?? '';
    assert.notEqual(rotated, secret);
    assert.equal((await grant(secret)).statusCode, 401, 'the old secret stops working at once');

    await page.goBack();
    await page.reload();
    await page.getByLabel('Access token lifetime (seconds)').fill('600');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.getByRole('status').filter({ hasText: 'saved' }).waitFor();
    assert.equal((await provider.app.core.api.admin.project(provider.projectId)).access_token_ttl_seconds, 600);
    assert.deepEqual(problems, []);
    await page.close();
  });

  it('rotates signing keys, filters the audit log to the operator’s own actions, verifies the chain', async () => {
    const { page, problems } = await newPage();
    await signIn(page, admin, '/console/security');
    await check(page, 'security');
    const before = await page.locator('#keys ~ .table-scroll tbody tr, section:has(#keys) tbody tr').count();
    await page.getByRole('button', { name: 'Rotate signing keys' }).click();
    await page.getByRole('status').filter({ hasText: 'new key' }).waitFor();
    assert.equal(await page.locator('section:has(#keys) tbody tr').count(), before + 1);
    assert.equal(await page.locator('section:has(#keys) td', { hasText: '(signing)' }).count(), 1);
    await page.setViewportSize({ width: 390, height: 800 });
    await assertNoHorizontalScroll(page, 'security at 390 px');
    await page.setViewportSize({ width: 1280, height: 800 });

    await provider.app.core.audit.flush();
    await page.getByLabel('Action').fill('admin.keys.rotate');
    await page.getByRole('button', { name: 'Filter' }).click();
    const rows = page.locator('section:has(#audit) tbody tr');
    assert.ok((await rows.count()) >= 1);
    await page.getByRole('link', { name: 'My own actions' }).click();
    const mine = await page.locator('section:has(#audit) tbody tr').allTextContents();
    assert.ok(
      mine.some((text) => text.includes('admin.keys.rotate')),
      'the operator’s own rotation is in the log',
    );
    assert.ok(
      mine.every((text) => text.includes('operator:')),
      'only this operator’s actions',
    );
    await page.getByRole('link', { name: 'Verify the hash chain' }).click();
    assert.match((await page.locator('#verify').textContent()) ?? '', /intact .*Chain head: [0-9a-f]{64}/s);
    assert.deepEqual(problems, []);
    await page.close();
  });

  it('imports a user export and shows the report with the failed lines', async () => {
    const { page, problems } = await newPage();
    await signIn(page, admin, '/console/import');
    await check(page, 'import');
    const good = uniqueEmail('console-import');
    const file = `${JSON.stringify({ email: good, name: 'Imported' })}\n${JSON.stringify({ name: 'No email' })}\n`;
    await page
      .getByLabel('Export file')
      .setInputFiles({ name: 'users.jsonl', mimeType: 'application/x-ndjson', buffer: Buffer.from(file) });
    await page.getByRole('button', { name: 'Import' }).click();
    await page.getByRole('heading', { name: 'Import report' }).waitFor();
    assert.equal(await page.locator('[data-imported]').textContent(), '1');
    assert.equal(await page.locator('[data-failed]').textContent(), '1');
    assert.equal(await page.locator('#report tbody tr').count(), 1);
    await check(page, 'import report');
    assert.equal((await provider.app.core.api.users.find(CLI_ACTOR, { query: good, limit: 1 })).users.length, 1);
    assert.deepEqual(problems, []);
    await page.close();
  });

  it('an operator turns on two-step verification in the console, then signs in with a code', async () => {
    const operator = { email: uniqueEmail('console-mfa'), password: PASSWORD };
    await provider.app.core.api.operators.create(CLI_ACTOR, { email: operator.email, role: 'support', password: PASSWORD });
    const { page, problems } = await newPage();
    await signIn(page, operator, '/console/account');
    await check(page, 'account');
    const secret = (await page.locator('[data-mfa-secret]').textContent()) ?? '';
    await page.getByLabel('Code').fill(await generate({ secret }));
    await page.getByRole('button', { name: 'Turn on two-step verification' }).click();
    assert.equal((await page.locator('[data-recovery-codes] li').count()) > 0, true);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(`${provider.issuer}/console/signed-out`);

    await page.goto(`${provider.issuer}/console`);
    await page.getByLabel('Email').fill(operator.email);
    await page.getByLabel('Password').fill(operator.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByLabel('Code').waitFor();
    // The next time step: the enrollment spent the current one.
    await page.getByLabel('Code').fill(await generate({ secret, epoch: Math.floor(Date.now() / 1000) + 30 }));
    await Promise.all([page.waitForURL(`${provider.issuer}/console`), page.getByRole('button', { name: 'Continue' }).click()]);
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    await provider.app.core.audit.flush();
    const signIns = await provider.app.core.api.admin.auditPage({ action: 'console.sign_in', limit: 1 });
    assert.equal(signIns[0]?.detail.mfa, true);
    assert.deepEqual(problems, []);
    await page.close();
  });

  it('refuses a console form without the CSRF token, and an unknown console page is a 404 page', async () => {
    const { page, problems } = await newPage();
    await signIn(page, admin);
    const session = (await browser.context.cookies()).find((each) => each.name === 'gatehouse-console')?.value ?? '';
    const forged = await provider.app.inject({
      method: 'POST',
      url: '/console/security/rotate-keys',
      headers: { cookie: `gatehouse-console=${session}`, 'content-type': 'application/x-www-form-urlencoded' },
      payload: '',
    });
    assert.equal(forged.statusCode, 403);
    const missing = await page.goto(`${provider.issuer}/console/users/00000000-0000-4000-8000-000000000000`);
    assert.equal(missing?.status(), 404);
    await check(page, 'console error page');
    assert.deepEqual(
      problems.filter((problem) => !problem.includes('404')),
      [],
    );
    await page.close();
  });

  it('marks an email verified, disables and enables a user, and deletes them only after the typed confirmation', async () => {
    const target = await ovokRegister(provider.app, provider.clientId, { email: uniqueEmail('console-lifecycle') });
    const { page, problems } = await newPage();
    await signIn(page, admin, '/console/users');
    await page.getByLabel('Email, account, name, number or id').fill(target.email);
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByRole('link', { name: target.email }).click();
    await page.getByRole('heading', { name: target.email }).waitFor();
    const userId = new URL(page.url()).pathname.split('/').pop() ?? '';
    const stored = async () => (await provider.app.core.api.users.show(CLI_ACTOR, userId)).user;

    await page.getByRole('button', { name: 'Mark email verified' }).click();
    await page.getByRole('status').filter({ hasText: 'The email address is marked as verified.' }).waitFor();
    assert.equal((await stored()).email_verified, true);

    await page.getByRole('button', { name: 'Disable' }).click();
    await page.getByRole('status').filter({ hasText: 'The user was disabled and their sessions ended.' }).waitFor();
    await assert.rejects(ovokLogin(provider.app, provider.clientId, target.email, target.password), 'a disabled user cannot sign in');
    await page.getByRole('button', { name: 'Enable' }).click();
    await page.getByRole('status').filter({ hasText: 'The user was enabled.' }).waitFor();
    await ovokLogin(provider.app, provider.clientId, target.email, target.password);

    await page.getByLabel(/Type the email address/).fill('someone.else@example.com');
    assert.equal(await page.getByRole('button', { name: 'Delete user' }).isDisabled(), true, 'the button waits for the exact email');
    // The server checks again: the form sent as it is, past the script (as without JavaScript).
    await Promise.all([
      page.waitForEvent('load'),
      page.locator('form:has(input[data-confirm])').evaluate((form) => (form as HTMLFormElement).submit()),
    ]);
    await page.getByText('Type the email address exactly to delete the user.').waitFor();
    assert.equal((await stored()).id, userId, 'a mistyped confirmation deletes nothing');
    await page.getByLabel(/Type the email address/).fill(target.email);
    await Promise.all([page.waitForURL(`${provider.issuer}/console/users`), page.getByRole('button', { name: 'Delete user' }).click()]);
    await page.getByRole('status').filter({ hasText: 'The user was deleted.' }).waitFor();
    await assert.rejects(ovokLogin(provider.app, provider.clientId, target.email, target.password), 'a deleted user cannot sign in');
    assert.deepEqual(problems, []);
    await page.close();
  });

  it('every console page was visited by a test', () => {
    const routes = provider.app.printRoutes({ commonPrefix: false });
    const pages = [
      '/console',
      '/console/users',
      '/console/users/:id',
      '/console/projects',
      '/console/projects/:id',
      '/console/security',
      '/console/import',
      '/console/account',
      '/console/signed-out',
    ];
    for (const path of pages) assert.ok(visited.has(path), `${path} was not visited: ${[...visited].join(', ')}`);
    assert.match(routes, /console/);
  });
});

describe('console with GATEHOUSE_CONSOLE_REQUIRE_MFA', () => {
  let provider: Provider;
  let browser: Browser;

  before(async () => {
    provider = await startProvider({ GATEHOUSE_CONSOLE_REQUIRE_MFA: 'true' });
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await provider?.close();
  });

  it('refuses an operator who signed in without a second factor, and admits one who used it', async () => {
    const api = provider.app.core.api;
    const plain = { email: uniqueEmail('console-plain'), password: PASSWORD };
    const strong = { email: uniqueEmail('console-strong'), password: PASSWORD };
    await api.operators.create(CLI_ACTOR, { email: plain.email, role: 'admin', password: PASSWORD });
    const { operator } = await api.operators.create(CLI_ACTOR, { email: strong.email, role: 'admin', password: PASSWORD });
    const system = await provider.app.core.projects.systemProject();
    const record = await provider.app.core.users.byId(operator.id);
    const status = await provider.app.core.lifecycle.mfa.status(record, system);
    const secret = status.enrolled ? '' : status.secret;
    await provider.app.core.lifecycle.mfa.confirm(record, await generate({ secret }));

    const page = await browser.context.newPage();
    const problems = watchProblems(page);
    await page.goto(`${provider.issuer}/console`);
    await page.getByLabel('Email').fill(plain.email);
    await page.getByLabel('Password').fill(plain.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Two-step verification required' }).waitFor();
    await assertAccessible(page, 'MFA required');
    assert.equal(
      (await browser.context.cookies()).some((cookie) => cookie.name === 'gatehouse-console'),
      false,
    );

    await browser.context.clearCookies();
    await page.goto(`${provider.issuer}/console`);
    await page.getByLabel('Email').fill(strong.email);
    await page.getByLabel('Password').fill(strong.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByLabel('Code').fill(await generate({ secret, epoch: Math.floor(Date.now() / 1000) + 30 }));
    await Promise.all([page.waitForURL(`${provider.issuer}/console`), page.getByRole('button', { name: 'Continue' }).click()]);
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    assert.deepEqual(problems, []);
    await page.close();
  });
});
