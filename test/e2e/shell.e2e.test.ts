import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTestClock } from '../../electron/people/testing/test-clock.ts';
import type { DemoOrg } from '../../sync-server/server.ts';
import { tabTo } from './support/clinical-ui.ts';
import { axeAndShot, e2eStack, screenshot } from './support/e2e-stack.ts';
import { chromiumForSuite, demoUser } from './support/suite.ts';
import { signIn, syncNow, waitForPatientsScreen } from './support/ui.ts';

/**
 * The always-on shell (issue 6) in real Chromium against the real server: the lock screen
 * (manual and idle, unlocked by keyboard, no patient data in the page behind it), the
 * offline banner (a TCP relay takes the server away and gives it back), and the org
 * switcher between the two demo orgs, online and then offline, by keyboard, with neither
 * org's patients ever shown in the other. Axe on every shell screen; screenshots.
 */
const chromiumOk = chromiumForSuite('shell in Chromium');

/** The org's policy idle lock, set on the server before anyone signs in (the workstation gets it at sign-in). */
const IDLE_MINUTES = 2;

describe.skipIf(!chromiumOk)('shell: lock screen, offline banner, org switcher (browser mode, real Chromium)', () => {
  const clock = createTestClock();
  const stack = e2eStack({
    server: 'demo',
    // Managed for northside by its machine policy: the sign-in form starts with that org filled in.
    stations: [{ name: 'SH', relay: true, clock, managedOrg: 'northside' }],
    prepare: async (server) => {
      const northside = server.orgs.get('northside');
      if (!northside) throw new Error('demo org northside is expected');
      await server.admin.setPolicy({ tenantId: northside.tenantId, change: { idleLockMinutes: IDLE_MINUTES } });
    },
  });
  const station = () => stack.station('SH');
  const relay = () => stack.relay('SH');
  let northside: DemoOrg;
  let lakeview: DemoOrg;
  let page: Page;

  beforeAll(async () => {
    [northside, lakeview] = [stack.org('northside'), stack.org('lakeview')];
    page = await stack.pages.open(station());
  });

  const shot = (name: string) => screenshot(page, 'shell', name);
  const check = (screen: string) => axeAndShot(page, 'shell', screen);
  const header = () => page.getByRole('banner');
  const lockHeading = () => page.getByRole('heading', { level: 1, name: 'Locked' });

  /** MRNs of the org signed in now (the demo prefixes them per org, so two orgs never share one). */
  async function mrnsOfOpenOrg(): Promise<string[]> {
    const rows = await station().workstation.caller.patients.list({ limit: 500 });
    return rows.map((row) => row.mrn).filter((mrn): mrn is string => Boolean(mrn));
  }

  async function expectNoneInPage(mrns: string[], what: string): Promise<void> {
    const text = await page.locator('body').innerText();
    const shown = mrns.filter((mrn) => text.includes(mrn));
    expect(shown, what).toEqual([]);
  }

  /** Opens the switcher from the keyboard, chooses an org (listed, or typed), types the password, presses Enter. */
  async function switchByKeyboard(to: { code: string; name: string; password: string }, listed: boolean): Promise<void> {
    await page.getByRole('heading', { level: 1 }).first().click(); // a neutral start for Tab
    await tabTo(page, header().getByRole('button', { name: 'Switch organization' }), 'Shift+Tab');
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'Switch organization' });
    await dialog.waitFor();
    const password = dialog.getByLabel('Password');
    expect(await password.evaluate((element) => element === document.activeElement), 'the password has focus when the switcher opens').toBe(true);
    if (listed) {
      const radio = dialog.getByRole('radio', { name: new RegExp(to.name) });
      await radio.waitFor();
      if (!(await radio.isChecked())) {
        await tabTo(page, dialog.getByRole('radio').first(), 'Shift+Tab');
        for (let presses = 0; presses < 5 && !(await radio.isChecked()); presses += 1) await page.keyboard.press('ArrowDown');
      }
      expect(await radio.isChecked()).toBe(true);
      await check('org-switcher');
    } else {
      const code = dialog.getByLabel('Organization code');
      await tabTo(page, code, 'Shift+Tab');
      await page.keyboard.type(to.code);
    }
    await tabTo(page, password);
    await page.keyboard.type(to.password);
    await page.keyboard.press('Enter');
    await dialog.waitFor({ state: 'detached', timeout: 60_000 });
    await header().getByText(to.name).waitFor();
  }

  it('signs in; Lock shows who and which org with no patient data behind it; unlocks by keyboard', async () => {
    await page.getByRole('heading', { level: 1, name: 'Clinicsync' }).waitFor();
    // The machine policy's org is filled in and editable, with a hint; the cursor starts at the username.
    const orgField = page.getByLabel('Organization code');
    expect(await orgField.inputValue()).toBe('northside');
    expect(await orgField.isEditable()).toBe(true);
    expect(await orgField.getAttribute('aria-describedby')).toBeTruthy();
    await page.getByText('Set up for this workstation by IT').waitFor();
    expect(await page.getByLabel('Username').evaluate((element) => element === document.activeElement)).toBe(true);
    await check('sign-in');
    const user = demoUser(northside);
    await signIn(page, user);
    await waitForPatientsScreen(page, 60_000);
    const ownMrns = await mrnsOfOpenOrg();
    expect(ownMrns.length).toBeGreaterThan(0);
    await page.getByRole('row').nth(1).waitFor();
    const shownBefore = await page.locator('body').innerText();
    expect(ownMrns.some((mrn) => shownBefore.includes(mrn)), 'patients are on screen before the lock').toBe(true);

    await header().getByRole('button', { name: 'Lock' }).click();
    await lockHeading().waitFor();
    const card = page.getByRole('main');
    expect(await card.innerText()).toContain('Front Desk (demo)');
    expect(await card.innerText()).toContain(northside.name);
    await expectNoneInPage(ownMrns, 'no MRN in the page while locked');
    expect(await page.getByRole('row').count(), 'no table rows while locked').toBe(0);
    await expect(station().workstation.caller.patients.list({ limit: 1 })).rejects.toMatchObject({ message: expect.stringMatching(/locked/i) });
    expect(await card.getByRole('button', { name: 'Sign out' }).count()).toBe(1);
    await check('lock-screen');

    // Keyboard only: the password field has focus; type and press Enter.
    expect(await page.getByLabel('Password').evaluate((element) => element === document.activeElement)).toBe(true);
    await page.keyboard.type(user.password);
    await page.keyboard.press('Enter');
    await page.getByRole('navigation', { name: 'Sections' }).waitFor({ timeout: 15_000 });
  }, 180_000);

  it("locks after the org's idle minutes without anyone touching the page", async () => {
    await page.getByRole('navigation', { name: 'Sections' }).waitFor();
    // Short of the org's idle time (but past nothing else): still open.
    clock.advance((IDLE_MINUTES * 60 - 30) * 1000);
    await page.waitForTimeout(4_000);
    expect(await lockHeading().count(), 'not locked before the idle time').toBe(0);
    // Past it, with no input at all: the lock screen appears within a few seconds.
    const before = Date.now();
    clock.advance(60_000);
    await lockHeading().waitFor({ timeout: 6_000 });
    expect(Date.now() - before).toBeLessThan(6_000);
    await page.getByText('The screen locked after a while without activity.').waitFor();
    await check('idle-lock');
    await page.keyboard.type(demoUser(northside).password);
    await page.keyboard.press('Enter');
    await page.getByRole('navigation', { name: 'Sections' }).waitFor({ timeout: 15_000 });
  }, 120_000);

  it('shows a calm offline banner while the server is unreachable, and nothing is blocked; it goes when the server is back', async () => {
    const banner = page.getByRole('status').filter({ hasText: 'Working offline' });
    expect(await banner.count()).toBe(0);
    relay().down();
    await syncNow(page);
    await banner.waitFor({ timeout: 20_000 });
    expect(await banner.innerText()).toMatch(/changes are saved on this computer and will sync when the connection returns/);
    expect(await banner.innerText()).toMatch(/waiting to sync/);
    // Information, not an error: no alert role, and not the error colour.
    expect(await banner.locator('[role="alert"]').count()).toBe(0);
    const background = await banner.locator('.offline-banner').evaluate((element) => getComputedStyle(element).backgroundColor);
    expect(background).not.toBe('rgb(253, 236, 236)');
    // Nothing is blocked: the patients screen still answers from the local store.
    await page.getByRole('link', { name: 'Patients' }).click();
    await page.getByRole('row').nth(1).waitFor();
    await check('offline-banner');

    relay().up();
    await syncNow(page);
    await banner.waitFor({ state: 'detached', timeout: 30_000 });
  }, 120_000);

  it('the Sync centre has one "Sync now" and passes axe', async () => {
    await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Sync' }).click();
    await page.getByRole('heading', { level: 1, name: 'Sync' }).waitFor();
    expect(await page.getByRole('button', { name: /Sync now|Syncing/ }).count()).toBe(1);
    await syncNow(page);
    await check('sync-centre');
    await page.getByRole('link', { name: 'Patients' }).click();
    expect(await page.getByRole('button', { name: /Sync now|Syncing/ }).count()).toBe(1);
  }, 60_000);

  it('switches org by keyboard, online then offline, and never shows one org’s patients in the other', async () => {
    const northMrns = await mrnsOfOpenOrg();
    const lake = { code: lakeview.code, name: lakeview.name, password: demoUser(lakeview).password };
    const north = { code: northside.code, name: northside.name, password: demoUser(northside).password };

    // Online: Lakeview is not on this workstation yet, so its code is typed.
    await switchByKeyboard(lake, false);
    await waitForPatientsScreen(page, 60_000);
    await page.getByRole('row').nth(1).waitFor({ timeout: 60_000 });
    const lakeMrns = await mrnsOfOpenOrg();
    expect(lakeMrns.length).toBeGreaterThan(0);
    expect(lakeMrns.filter((mrn) => northMrns.includes(mrn))).toEqual([]);
    await expectNoneInPage(northMrns, 'no Northside patient in Lakeview');
    expect(await station().workstation.caller.session.knownOrgs()).toEqual([
      expect.objectContaining({ code: 'lakeview', current: true }),
      expect.objectContaining({ code: 'northside', current: false }),
    ]);

    // Back to Northside: now it is listed (and chosen first).
    await switchByKeyboard(north, true);
    await waitForPatientsScreen(page, 60_000);
    await page.getByRole('row').nth(1).waitFor();
    await expectNoneInPage(lakeMrns, 'no Lakeview patient in Northside');

    // Offline, the second time: both orgs are on this workstation, so the switch still works.
    relay().down();
    await switchByKeyboard(lake, true);
    await header().getByText('Signed in offline').waitFor();
    await waitForPatientsScreen(page, 30_000);
    await page.getByRole('row').nth(1).waitFor();
    await expectNoneInPage(northMrns, 'no Northside patient in Lakeview (offline)');
    await switchByKeyboard(north, true);
    await waitForPatientsScreen(page, 30_000);
    await page.getByRole('row').nth(1).waitFor();
    await expectNoneInPage(lakeMrns, 'no Lakeview patient in Northside (offline)');
    await page.getByRole('status').filter({ hasText: 'Working offline' }).waitFor({ timeout: 20_000 });
    await shot('switched-offline');

    // A wrong password for the other org while offline: the other org is opened first, so
    // when it does not open this one stays open, and the dialog says so.
    await page.getByRole('button', { name: 'Switch organization' }).click();
    const dialog = page.getByRole('dialog', { name: 'Switch organization' });
    expect(await dialog.getByRole('radio', { name: new RegExp(lakeview.name) }).isChecked()).toBe(true);
    await dialog.getByLabel('Password').fill('not-the-password');
    await dialog.getByRole('button', { name: 'Switch' }).click();
    const refusal = dialog.getByRole('alert');
    await refusal.getByText(`You are still signed in to ${northside.name}.`).waitFor({ timeout: 15_000 });
    expect(await refusal.innerText()).toContain(`${lakeview.name} did not open`);
    expect(await refusal.innerText()).not.toContain('not-the-password');
    await check('failed-offline-switch');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'detached' });
    // Still signed in to Northside: its header, its patients on screen, and no Lakeview patient.
    expect(await station().workstation.caller.session.status()).toMatchObject({ state: 'signed_in', org: { code: northside.code } });
    // The header's org badge exactly: the closed dialog's sentences (which name the org too) may still be in the header's DOM.
    await header().getByText(`Organization: ${northside.name}`, { exact: true }).waitFor();
    expect(await page.getByRole('heading', { level: 1, name: 'Clinicsync' }).count(), 'not sent back to the sign-in screen').toBe(0);
    await page.getByRole('heading', { level: 1, name: 'Patients' }).waitFor();
    await page.getByRole('row').nth(1).waitFor();
    const shown = await page.locator('body').innerText();
    expect(northMrns.some((mrn) => shown.includes(mrn)), 'Northside patients still on screen').toBe(true);
    await expectNoneInPage(lakeMrns, 'no Lakeview patient after the failed switch');
    relay().up();
    expect(stack.pages.pageErrors).toEqual([]);
  }, 300_000);

  it('a window opened without the launch link gets no data: the socket and the API refuse it, and the page says how to reconnect', async () => {
    const context = await stack.browser.newContext();
    try {
      const stranger = await context.newPage();
      const refusals: string[] = [];
      stranger.on('websocket', (socket) => socket.on('socketerror', (error) => refusals.push(error)));
      await stranger.goto(new URL(station().url).origin + '/');
      await stranger.getByText('This window is not connected to the workstation. Open the launch link the workstation host printed.').waitFor({ timeout: 15_000 });
      await expect.poll(() => refusals.length, { message: 'the socket upgrade was refused' }).toBeGreaterThan(0);
      await expect(stranger.getByRole('form', { name: 'Sign in' }).count()).resolves.toBe(0);
      expect(await stranger.locator('body').innerText()).not.toMatch(/Northside|Lakeview/);
    } finally {
      await context.close();
    }
  });
});
