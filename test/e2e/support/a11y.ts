import { AxeBuilder } from '@axe-core/playwright';
import type { Page } from 'playwright-core';

/**
 * Serious and critical axe violations, summarised one line each (rule, impact, targets).
 * axe runs in the page itself (AxeBuilder's legacy mode), not per frame with its results
 * put together in a blank page it opens for every check: the renderer has no iframes, so
 * the rules and results are the same (compared on all six schedule screens), in about half
 * the time (3.1–4.0 s → 1.4–1.7 s a check). Legacy mode skips cross-origin frames, so a
 * screen with any frame fails here until the default mode is back.
 */
export async function seriousA11yViolations(page: Page): Promise<string[]> {
  const frames = await page.locator('iframe, frame').count();
  if (frames > 0) throw new Error(`the axe check runs in legacy mode, which skips cross-origin frames; this screen has ${frames}`);
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']).setLegacyMode().analyze();
  return results.violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map((violation) => `${violation.id} (${violation.impact}): ${violation.help} — ${violation.nodes.map((node) => node.target.join(' ')).join(', ')}`);
}
