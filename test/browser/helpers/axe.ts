import assert from 'node:assert/strict';
import { AxeBuilder } from '@axe-core/playwright';
import type { Page } from 'playwright-core';

/** The rules of WCAG 2.0 and 2.1, levels A and AA. */
export const WCAG_21_AA = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] as const;

/** Runs axe-core on the page as it is now and fails on any serious or critical WCAG 2.1 AA violation, naming rule and elements. */
export async function assertAccessible(page: Page, label: string): Promise<void> {
  const results = await new AxeBuilder({ page }).withTags([...WCAG_21_AA]).analyze();
  const blocking = results.violations.filter((violation) => violation.impact === 'serious' || violation.impact === 'critical');
  const report = blocking.map(
    (violation) =>
      `${violation.id} (${violation.impact}): ${violation.help} at ${violation.nodes.map((node) => node.target.join(' ')).join(', ')}`,
  );
  assert.deepEqual(report, [], `${label}: axe found serious or critical WCAG 2.1 AA violations`);
  // axe really looked at the page: a page it could not analyse passes nothing.
  assert.ok(results.passes.length > 0, `${label}: axe checked no rule`);
}
