import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';

const DIR = fileURLToPath(new URL('../../../docs/screenshots/', import.meta.url));

/**
 * Saves the whole page as docs/screenshots/<name>.png (the README and docs show these). The
 * request id, new on every run, is shown as a fixed one, so an unchanged page gives an unchanged file.
 */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(DIR, { recursive: true });
  const path = `${DIR}${name}.png`;
  await page.locator('.request-id code').evaluateAll((codes) => {
    for (const code of codes) code.textContent = '3f2b8c1e-5d4a-4b7e-9c0f-1a2b3c4d5e6f';
  });
  // No hover effect from wherever the last click left the pointer.
  await page.mouse.move(0, 0);
  await page.screenshot({ path, fullPage: true, animations: 'disabled' });
  return path;
}
