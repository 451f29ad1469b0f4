import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { describe, it } from 'vitest';
import type { DemoOrg } from '../../../sync-server/server.ts';
import { recordSkippedSuite } from '../../support/skip-log.ts';
import { chromiumAvailability } from './chromium.ts';
import type { WorkstationUnderTest } from './stack.ts';

/** Where every e2e suite saves its screenshots (kept with the test output). */
export const SHOTS_DIR = fileURLToPath(new URL('../../../test-results/e2e/', import.meta.url));

/**
 * Whether an e2e suite can run here. Mandatory where CI says so (.ci/run sets
 * CLINICSYNC_REQUIRE_CHROMIUM=1): a missing Chromium then fails a test named for it;
 * elsewhere the suite skips loudly (the skip log).
 */
export function chromiumForSuite(suite: string): boolean {
  const chromium = chromiumAvailability();
  const required = process.env.CLINICSYNC_REQUIRE_CHROMIUM === '1' || process.env.CI === 'true';
  if (!chromium.ok && !required) recordSkippedSuite(`e2e: ${suite}`, chromium.reason);
  describe.runIf(!chromium.ok && required)(`e2e prerequisites (${suite})`, () => {
    it('has Chromium installed (required by CLINICSYNC_REQUIRE_CHROMIUM or CI)', () => {
      throw new Error(chromium.ok ? 'unreachable' : chromium.reason);
    });
  });
  return chromium.ok;
}

/** Pages of one browser, one context each, with every page error collected (a test ends expecting none). */
export function pagesOf(browser: () => Browser | undefined) {
  const contexts: BrowserContext[] = [];
  const pageErrors: string[] = [];
  return {
    pageErrors,
    async open(station: WorkstationUnderTest): Promise<Page> {
      const running = browser();
      if (!running) throw new Error('browser not started');
      const context = await running.newContext({ viewport: { width: 1280, height: 860 } });
      contexts.push(context);
      const page = await context.newPage();
      page.on('pageerror', (error) => pageErrors.push(`${station.name}: ${error.message}`));
      await page.goto(station.url);
      return page;
    },
    async closeAll(): Promise<void> {
      for (const context of contexts.splice(0)) await context.close().catch(() => undefined);
    },
  };
}

/** Sign-in details of a demo org's user. */
export function demoUser(org: DemoOrg, username = 'frontdesk') {
  const user = org.users.find((candidate) => candidate.username === username);
  if (!user) throw new Error(`demo org ${org.code} has no user ${username}`);
  return { org: org.code, username: user.username, password: user.password };
}
