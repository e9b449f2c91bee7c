import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { assertAccessible } from './helpers/axe.ts';
import { type Browser, launchChromium } from './helpers/chromium.ts';
import { assertNoHorizontalScroll, assertSkipLink, watchProblems } from './helpers/page-checks.ts';
import { screenshot } from './helpers/screenshot.ts';
import { type RunningServer, startServer } from './helpers/server.ts';

let server: RunningServer;
let browser: Browser;

before(async () => {
  server = await startServer();
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  await server?.close();
});

async function open(
  path: string,
  options: { width?: number; language?: string } = {},
): Promise<{ page: Page; status: number; problems: string[] }> {
  const page = await browser.context.newPage();
  await page.setViewportSize({ width: options.width ?? 1280, height: 800 });
  await page.setExtraHTTPHeaders({ 'accept-language': options.language ?? 'en' });
  const problems = watchProblems(page);
  const response = await page.goto(`${server.baseUrl}${path}`);
  assert.ok(response !== null, `no response for ${path}`);
  return { page, status: response.status(), problems };
}

describe('hosted pages in chromium: start page and error page', () => {
  for (const width of [1280, 390]) {
    it(`the start page says what this server is, links on, and passes axe at ${width} px`, async () => {
      const { page, status, problems } = await open('/', { width });
      assert.equal(status, 200);
      assert.equal(await page.getAttribute('html', 'lang'), 'en');
      assert.equal(await page.title(), 'Sign-in service – Gatehouse');
      assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), 'Sign-in service');
      assert.equal(await page.getByRole('link', { name: 'API reference' }).getAttribute('href'), '/docs');
      assert.equal(
        await page.getByRole('link', { name: 'OpenID Connect discovery document' }).getAttribute('href'),
        '/.well-known/openid-configuration',
      );
      // The stylesheet applied (served by Gatehouse, allowed by the CSP): the card is a white box.
      assert.equal(await page.locator('main').evaluate((main) => getComputedStyle(main).backgroundColor), 'rgb(255, 255, 255)');
      await assertNoHorizontalScroll(page, `start page at ${width} px`);
      await assertAccessible(page, `start page at ${width} px`);
      await screenshot(page, `landing-${width}`);
      await assertSkipLink(page, `start page at ${width} px`);
      assert.deepEqual(problems, []);
      await page.close();
    });
  }

  it('speaks German to a German browser, and ui_locales wins over the browser language', async () => {
    const german = await open('/', { language: 'de-DE,de;q=0.9,en;q=0.5' });
    assert.equal(await german.page.getAttribute('html', 'lang'), 'de');
    assert.equal(await german.page.title(), 'Anmeldedienst – Gatehouse');
    assert.ok(await german.page.getByRole('navigation', { name: 'Sprache' }).isVisible());
    await assertAccessible(german.page, 'German start page');
    await german.page.getByRole('link', { name: 'English' }).click();
    assert.equal(await german.page.getAttribute('html', 'lang'), 'en');
    await german.page.close();

    const asked = await open('/?ui_locales=de', { language: 'en' });
    assert.equal(await asked.page.getAttribute('html', 'lang'), 'de');
    await asked.page.close();
  });

  it('an unknown address is a readable 404 page with the request id, no stack, and passes axe', async () => {
    const page = await browser.context.newPage();
    const problems = watchProblems(page);
    const response = await page.goto(`${server.baseUrl}/no/such/page`);
    assert.equal(response?.status(), 404);
    assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), 'Page not found');
    const requestId = response?.headers()['x-request-id'];
    assert.match(String(requestId), /^[0-9a-f-]{36}$/);
    assert.equal(await page.locator('.request-id code').textContent(), requestId);
    assert.doesNotMatch(await page.content(), /at .*\.ts:\d+|Error:/);
    await page.getByRole('link', { name: 'Go to the start page' }).click();
    assert.equal(new URL(page.url()).pathname, '/');
    await page.goBack();
    await assertAccessible(page, '404 page');
    await screenshot(page, 'error-404');
    // The 404 itself is the only failed load.
    assert.deepEqual(problems, []);
    await page.close();
  });
});
