import { describe, expect, it, vi } from 'vitest';
import { tabTo } from './support/clinical-ui.ts';
import { axeAndShot, e2eStack } from './support/e2e-stack.ts';
import type { WorkstationUnderTest } from './support/stack.ts';
import { chromiumForSuite, demoUser } from './support/suite.ts';
import { searchPatients, waitForPatientsScreen } from './support/ui.ts';

/**
 * The Sync centre end to end (issue 6): two desks of one org change the same patient's phone
 * while each has lost the server (a TCP relay per desk, cable pulled), then both sync. The
 * desk that synced second lists the conflict in its Sync centre; a person resolves it with
 * the keyboard only, and both desks end up with the value chosen.
 */
const chromiumOk = chromiumForSuite('sync centre in Chromium');

describe.skipIf(!chromiumOk)('sync centre: a conflict listed and resolved by keyboard (browser mode, real Chromium)', () => {
  const stack = e2eStack({ server: 'demo', stations: ['SA', 'SB'], relays: true });

  it('lists the conflict on the desk that synced second; keyboard resolution converges both desks', async () => {
    const [a, b] = [stack.station('SA'), stack.station('SB')];
    const [relayA, relayB] = [stack.relay('SA'), stack.relay('SB')];
    const northside = stack.org('northside');

    const pageA = await stack.openSignedIn(a, demoUser(northside));
    const pageB = await stack.openSignedIn(b, demoUser(northside, 'clinician'));
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

    await axeAndShot(pageA, 'sync-centre', 'conflict');

    // Keyboard only: Tab to "Keep the other" in this conflict, then Enter.
    await pageA.getByRole('heading', { level: 1, name: 'Sync' }).click();
    await tabTo(pageA, conflict.getByRole('button', { name: 'Keep the other' }));
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

    await axeAndShot(pageA, 'sync-centre', 'resolved');
    expect(stack.pages.pageErrors).toEqual([]);
  }, 180_000);
});
