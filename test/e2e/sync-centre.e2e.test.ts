import { mkdir } from 'node:fs/promises';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startTcpRelay, type TcpRelay } from '../../electron/test-support/tcp-relay.ts';
import type { DemoOrg } from '../../sync-server/server.ts';
import { seriousA11yViolations } from './support/a11y.ts';
import { buildRenderer } from './support/build-renderer.ts';
import { launchChromium } from './support/chromium.ts';
import { makeRoot, removeRoot, startServer, startWorkstation, type WorkstationUnderTest } from './support/stack.ts';
import { chromiumForSuite, demoUser, pagesOf, SHOTS_DIR } from './support/suite.ts';
import { searchPatients, signIn, waitForPatientsScreen } from './support/ui.ts';

/**
 * The Sync centre end to end (issue 6): two desks of one org change the same patient's phone
 * while each has lost the server (a TCP relay per desk, cable pulled), then both sync. The
 * desk that synced second lists the conflict in its Sync centre; a person resolves it with
 * the keyboard only, and both desks end up with the value chosen.
 */
const chromiumOk = chromiumForSuite('sync centre in Chromium');

describe.skipIf(!chromiumOk)('sync centre: a conflict listed and resolved by keyboard (browser mode, real Chromium)', () => {
  let root = '';
  let browser: Browser | undefined;
  let server: Awaited<ReturnType<typeof startServer>> | undefined;
  const relays: TcpRelay[] = [];
  const stations: WorkstationUnderTest[] = [];
  let northside: DemoOrg;

  const pages = pagesOf(() => browser);
  const openPage = pages.open;

  beforeAll(async () => {
    root = await makeRoot();
    await mkdir(SHOTS_DIR, { recursive: true });
    const [rendererDir, started] = await Promise.all([buildRenderer(root), startServer()]);
    server = started;
    const ns = server.orgs.get('northside');
    if (!ns) throw new Error('demo org northside is expected');
    northside = ns;
    for (const name of ['SA', 'SB']) {
      const relay = await startTcpRelay(server.url);
      relays.push(relay);
      stations.push(await startWorkstation(name, { serverUrl: relay.url, rendererDir, root }));
    }
    browser = await launchChromium();
  }, 240_000);

  afterAll(async () => {
    await pages.closeAll();
    await browser?.close().catch(() => undefined);
    for (const station of stations) await station.close().catch(() => undefined);
    for (const relay of relays) await relay.close().catch(() => undefined);
    await server?.close().catch(() => undefined);
    if (root) await removeRoot(root);
  }, 60_000);

  it('lists the conflict on the desk that synced second; keyboard resolution converges both desks', async () => {
    const [a, b] = stations;
    const [relayA, relayB] = relays;
    if (!a || !b || !relayA || !relayB) throw new Error('workstations not started');

    const pageA = await openPage(a);
    await signIn(pageA, demoUser(northside));
    const pageB = await openPage(b);
    await signIn(pageB, demoUser(northside, 'clinician'));
    await waitForPatientsScreen(pageA);
    await waitForPatientsScreen(pageB);
    await a.workstation.syncNow();
    await b.workstation.syncNow();
    const patientId = (await a.workstation.caller.patients.list({ limit: 1 }))[0]?.id;
    if (!patientId) throw new Error('the demo org has no patients');
    const phoneOn = (station: WorkstationUnderTest) => station.workstation.store().patients.get(patientId)?.phone;

    // Both desks lose the server, and each changes the same patient's phone.
    relayA.down();
    relayB.down();
    const phoneA = `555-01${Math.floor(Math.random() * 90 + 10)}`;
    const phoneB = `555-02${Math.floor(Math.random() * 90 + 10)}`;
    a.workstation.store().patients.update(patientId, { phone: phoneA });
    b.workstation.store().patients.update(patientId, { phone: phoneB });

    // B syncs first, then A: A is the desk that sees the other value win or lose.
    relayB.up();
    // A cycle that started while the cable was out may still be failing: retry until one gets through.
    await vi.waitFor(() => b.workstation.syncNow(), { timeout: 30_000, interval: 500 });
    relayA.up();
    await pageA.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Sync' }).click();
    await pageA.getByRole('heading', { level: 1, name: 'Sync' }).waitFor();
    const main = pageA.getByRole('main');
    await main.getByRole('button', { name: 'Sync now' }).click();
    await main.getByRole('button', { name: 'Sync now', disabled: false }).waitFor({ timeout: 30_000 });
    await b.workstation.syncNow();

    const conflict = main.getByRole('article', { name: 'Patient: Phone' });
    await conflict.waitFor({ timeout: 30_000 });
    await expect.poll(() => conflict.textContent()).toContain(phoneA);
    expect(await conflict.textContent()).toContain(phoneB);
    await expect.poll(() => main.getByText('All changes synced').count(), { timeout: 30_000 }).toBe(1);
    expect(await main.getByText(/^Last synced /).count()).toBe(1);
    const [logged] = await a.workstation.caller.sync.conflicts.list({ open: true });
    if (!logged) throw new Error('desk A logged no conflict');
    const chosen = logged.losingValue;
    expect([phoneA, phoneB]).toContain(chosen);
    expect(phoneOn(a)).toBe(logged.winningValue);

    expect(await seriousA11yViolations(pageA), 'sync centre: serious/critical axe violations').toEqual([]);
    await pageA.screenshot({ path: `${SHOTS_DIR}sync-centre-conflict.png`, fullPage: true });

    // Keyboard only: Tab to "Keep the other" in this conflict, then Enter.
    await pageA.getByRole('heading', { level: 1, name: 'Sync' }).click();
    const target = conflict.getByRole('button', { name: 'Keep the other' });
    let reached = false;
    for (let presses = 0; presses < 40 && !reached; presses += 1) {
      await pageA.keyboard.press('Tab');
      reached = await target.evaluate((element) => element === document.activeElement);
    }
    expect(reached, 'Tab reaches "Keep the other"').toBe(true);
    await pageA.keyboard.press('Enter');
    await main.getByText('No open conflicts.').waitFor({ timeout: 15_000 });
    expect(phoneOn(a)).toBe(chosen);

    // The chosen value travels as an ordinary edit: both desks converge on it.
    await vi.waitFor(
      async () => {
        await a.workstation.syncNow();
        await b.workstation.syncNow();
        expect(phoneOn(b)).toBe(chosen);
      },
      { timeout: 30_000, interval: 500 },
    );
    expect(phoneOn(a)).toBe(chosen);
    expect(await a.workstation.caller.sync.conflicts.list({ open: true })).toEqual([]);
    // B's screen shows it too (the patient search matches phone numbers).
    await searchPatients(pageB, String(chosen));
    await pageB.getByRole('row').filter({ hasText: String(chosen) }).first().waitFor({ timeout: 15_000 });

    expect(await seriousA11yViolations(pageA), 'sync centre after resolving: serious/critical axe violations').toEqual([]);
    await pageA.screenshot({ path: `${SHOTS_DIR}sync-centre-resolved.png`, fullPage: true });
    expect(pages.pageErrors).toEqual([]);
  }, 180_000);
});
