import { describe, expect, it, vi } from 'vitest';
import { PROTOCOL_VERSION } from '../../shared/sync/version.ts';
import { closeClientSockets } from '../../sync-server/testing/harness.ts';
import { axeAndShot, e2eStack } from './support/e2e-stack.ts';
import { chromiumForSuite, demoUser } from './support/suite.ts';
import { createPatient, patientRow, searchPatients, syncNow, waitForPatientsScreen } from './support/ui.ts';

/**
 * Client/server compatibility as the person at the desk sees it (real Chromium, real sync
 * server, real encrypted store): the server is upgraded two protocol versions ahead while the
 * desk works. The desk's sync badge says "Update required" with the reason, the desk keeps
 * working locally, and nothing is lost: the new patient is in the store and its change
 * waits in the outbox for the updated app.
 */
const chromiumOk = chromiumForSuite('update required in Chromium');

describe.skipIf(!chromiumOk)('a server two protocol versions ahead: "Update required", local data kept (browser mode, real Chromium)', () => {
  const stack = e2eStack({ server: 'stoppable', stations: ['Desk'] });

  it('shows "Update required" in the sync badge and keeps the store and its outbox', async () => {
    const desk = stack.station('Desk');
    const page = await stack.openSignedIn(desk, demoUser(stack.org('northside')));
    await waitForPatientsScreen(page);
    const badge = page.getByRole('status', { name: 'Sync status' });
    await badge.filter({ hasText: 'Online' }).waitFor({ timeout: 30_000 });

    // The server is upgraded: same data, a protocol two versions ahead of this workstation.
    await stack.server.stop();
    await closeClientSockets();
    await stack.server.start({ protocolVersion: PROTOCOL_VERSION + 2 });

    const walkIn = { givenName: 'Versa', familyName: `Keptlocal${Date.now() % 100_000}`, birthDate: '1979-11-02', sex: 'female' as const, phone: '555-0199', mrn: `VER-${Date.now() % 100_000}` };
    await createPatient(page, walkIn);
    await syncNow(page);

    await badge.filter({ hasText: 'Update required' }).waitFor({ timeout: 30_000 });
    // The badge's headline (not only the error text) says it, and names the side that is behind.
    await expect.poll(() => badge.locator('.sync-connection').textContent()).toBe('Update required');
    expect(await badge.textContent()).toContain('Update required: This workstation uses an older sync protocol');
    expect(await badge.textContent()).toContain('Local data is kept');
    expect(desk.workstation.syncStatus()).toMatchObject({ state: 'error', lastError: { code: 'PROTOCOL_UNSUPPORTED' } });

    // The desk keeps working on its own data; the change waits in the outbox.
    await searchPatients(page, walkIn.familyName);
    await patientRow(page, walkIn).waitFor({ timeout: 15_000 });
    const store = desk.workstation.store();
    expect(store.listPatients({ search: walkIn.familyName }).map((p) => p.familyName)).toEqual([walkIn.familyName]);
    expect(store.pendingBatch(100).map((m) => m.fields['familyName'])).toContain(walkIn.familyName);
    await vi.waitFor(() => expect(desk.workstation.syncStatus().pending).toBeGreaterThan(0));

    await axeAndShot(page, 'update-required', 'desk-update-required');
    expect(stack.pages.pageErrors).toEqual([]);
  });
});
