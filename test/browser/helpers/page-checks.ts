import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';

/** Collects what the browser refused or failed while pages load (CSP violations, script errors, 4xx/5xx assets). */
export function watchProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (message) => {
    // Failed loads are reported below with their URL (a 404 page's own status is not a problem).
    if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) problems.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`script: ${error.message}`));
  page.on('response', (response) => {
    const type = response.request().resourceType();
    if (type !== 'document' && response.status() >= 400) problems.push(`${type} ${response.url()}: ${response.status()}`);
  });
  return problems;
}

/** The layout fits the viewport: no horizontal scrolling (WCAG 1.4.10 reflow at 320-390 px). */
export async function assertNoHorizontalScroll(page: Page, label: string): Promise<void> {
  const { scrollWidth, innerWidth } = await page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: window.innerWidth,
  }));
  assert.ok(scrollWidth <= innerWidth, `${label}: content is ${scrollWidth}px wide in a ${innerWidth}px viewport`);
}

/** The first Tab lands on the skip link, which is then visible and leads to <main>. */
export async function assertSkipLink(page: Page, label: string): Promise<void> {
  await page.keyboard.press('Tab');
  const focused = page.locator(':focus');
  assert.equal(await focused.getAttribute('href'), '#main', `${label}: first tab stop is the skip link`);
  const box = await focused.boundingBox();
  assert.ok(box !== null && box.y >= 0, `${label}: the focused skip link is on screen`);
  await page.keyboard.press('Enter');
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'main', `${label}: the skip link moves focus to main`);
}
