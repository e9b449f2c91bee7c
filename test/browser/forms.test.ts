import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { ADMIN_TOKEN } from '../helpers/app.ts';
import { FORM_PATH, formFixture } from '../helpers/pages.ts';
import { assertAccessible } from './helpers/axe.ts';
import { type Browser, launchChromium } from './helpers/chromium.ts';
import { assertNoHorizontalScroll, watchProblems } from './helpers/page-checks.ts';
import { screenshot } from './helpers/screenshot.ts';
import { type RunningServer, startServer } from './helpers/server.ts';

// The foundation's form pieces (form template, field partials, CSRF, flash) on a fixture page.
let server: RunningServer;
let browser: Browser;

before(async () => {
  server = await startServer({}, { extraPages: formFixture });
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  await server?.close();
});

async function open(path: string, language = 'en', width = 1280): Promise<{ page: Page; problems: string[] }> {
  const page = await browser.context.newPage();
  await page.setViewportSize({ width, height: 900 });
  await page.setExtraHTTPHeaders({ 'accept-language': language });
  const problems = watchProblems(page);
  await page.goto(`${server.baseUrl}${path}`);
  return { page, problems };
}

describe('page forms in chromium: labelled fields, errors tied to inputs, CSRF, flash', () => {
  it('fields have the accessible names Email and Password, errors are listed, focused and tied to their input', async () => {
    const { page, problems } = await open(FORM_PATH);
    const email = page.getByLabel('Email');
    assert.equal(await email.getAttribute('autocomplete'), 'username');
    assert.equal(await page.getByLabel('Password').getAttribute('type'), 'password');
    await email.fill('not-an-address');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForSelector('[data-error-summary]');
    assert.equal(await page.title(), 'Error: Sign in – Gatehouse');
    // pages.js moved focus to the error summary.
    assert.equal(await page.evaluate(() => document.activeElement?.hasAttribute('data-error-summary')), true);
    assert.equal(await email.getAttribute('aria-invalid'), 'true');
    assert.equal(await email.inputValue(), 'not-an-address');
    const describedBy = String(await email.getAttribute('aria-describedby'));
    assert.match(String(await page.locator(`#${describedBy}`).textContent()), /Enter an email address in the correct format/);
    assert.match(String(await page.getByLabel('Password').getAttribute('aria-describedby')), /field-password-error/);
    await assertAccessible(page, 'form with errors');
    await screenshot(page, 'form-errors');
    // The summary's link leads to the field.
    await page.getByRole('link', { name: 'Enter your password' }).click();
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'field-password');
    assert.deepEqual(problems, []);
    await page.close();
  });

  it('a valid post redirects and the flashed notice is shown once', async () => {
    const { page } = await open(FORM_PATH);
    await page.getByLabel('Email').fill('ada@example.com');
    await page.getByLabel('Password').fill('correct horse');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForSelector('.notice--success');
    assert.equal(new URL(page.url()).pathname, FORM_PATH);
    assert.match(String(await page.getByRole('status').textContent()), /Your password was changed/);
    await page.reload();
    assert.equal(await page.locator('.notice').count(), 0);
    await page.close();
  });

  it('German: labels E-Mail and Passwort, button Anmelden; the language chosen by ui_locales survives a failed post', async () => {
    const { page } = await open(`${FORM_PATH}?ui_locales=de`, 'en');
    assert.equal(await page.getAttribute('html', 'lang'), 'de');
    await page.getByLabel('E-Mail').fill('ada@example.com');
    await page.getByRole('button', { name: 'Anmelden' }).click();
    await page.waitForSelector('[data-error-summary]');
    assert.equal(await page.getAttribute('html', 'lang'), 'de');
    assert.match(String(await page.locator('#field-password-error').textContent()), /Geben Sie Ihr Passwort ein/);
    assert.ok(await page.getByLabel('Passwort').isVisible());
    await assertAccessible(page, 'German form with errors');
    await page.close();
  });

  it('a form sent without this browser’s CSRF cookie is refused with a readable 403 page', async () => {
    const { page } = await open(FORM_PATH);
    await browser.context.clearCookies();
    await page.getByLabel('Email').fill('ada@example.com');
    await page.getByLabel('Password').fill('correct horse');
    const [response] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'POST'),
      page.getByRole('button', { name: 'Sign in' }).click(),
    ]);
    assert.equal(response.status(), 403);
    await page.waitForLoadState();
    assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), 'This form has expired');
    await assertAccessible(page, 'CSRF refusal page');
    // The refusal set a new token: going back to the form and sending it again works.
    await page.getByRole('link', { name: 'Go back and try again' }).click();
    await page.getByLabel('Email').fill('ada@example.com');
    await page.getByLabel('Password').fill('correct horse');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForSelector('.notice--success');
    await page.close();
  });

  it('a project colour too light for white text gets black text and passes axe, at 390 px too', async () => {
    const created = await server.app.inject({
      method: 'POST',
      url: '/admin/projects',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
      payload: { name: 'Sunny', settings: { branding: { displayName: 'Sunny Clinic', primaryColor: '#FFE033' } } },
    });
    assert.equal(created.statusCode, 201, created.body);
    const { id } = created.json() as { id: string };
    for (const width of [1280, 390]) {
      const { page, problems } = await open(`${FORM_PATH}?project=${id}`, 'en', width);
      assert.equal(await page.locator('.brand-name').textContent(), 'Sunny Clinic');
      const button = page.getByRole('button', { name: 'Sign in' });
      assert.equal(await button.evaluate((element) => getComputedStyle(element).backgroundColor), 'rgb(255, 224, 51)');
      assert.equal(await button.evaluate((element) => getComputedStyle(element).color), 'rgb(0, 0, 0)');
      await assertNoHorizontalScroll(page, `branded form at ${width} px`);
      await assertAccessible(page, `branded form at ${width} px`);
      await screenshot(page, `form-branded-${width}`);
      assert.deepEqual(problems, []);
      await page.close();
    }
  });

  it('works without JavaScript: errors shown, valid post accepted', async () => {
    const noScript = await launchChromium({ javaScriptEnabled: false });
    try {
      const page = await noScript.context.newPage();
      await page.goto(`${server.baseUrl}${FORM_PATH}`);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForSelector('[data-error-summary]');
      assert.match(String(await page.getByRole('alert').first().textContent()), /Enter your email address/);
      await page.getByLabel('Email').fill('ada@example.com');
      await page.getByLabel('Password').fill('correct horse');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForSelector('.notice--success');
    } finally {
      await noScript.close();
    }
  });
});
