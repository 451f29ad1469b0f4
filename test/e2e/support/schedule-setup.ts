import type { Locator } from 'playwright-core';
import { DEMO_HOURS, demoPractitioners } from '../../../sync-server/demo/schedule-plan.ts';
import type { DemoOrg } from '../../../sync-server/server.ts';
import { signedIn } from '../../../sync-server/testing/harness.ts';
import type { WorkstationUnderTest } from './stack.ts';

/** Today as the clinic counts days (UTC, like the schedule view), and its ISO weekday (1 = Monday). */
export const today = new Date().toISOString().slice(0, 10);
export const isoWeekday = ((new Date(`${today}T00:00:00Z`).getUTCDay() + 6) % 7) + 1;

/**
 * The demo works Monday to Friday; on a weekend a test gives today the same hours through
 * the org admin, so "today" has free slots whatever day CI runs.
 */
export async function giveTodayDemoHours(server: { url: string }, org: DemoOrg): Promise<void> {
  if (isoWeekday <= 5) return;
  const password = org.users.find((u) => u.username === 'admin')?.password;
  if (!password) throw new Error(`demo org ${org.code} has no admin`);
  const { client: admin } = await signedIn(server as Parameters<typeof signedIn>[0], { code: org.code, username: 'admin', password });
  const staff = await admin.personnel.staff.list.query({ practitionersOnly: true });
  const rooms = await admin.scheduling.locations.list.query({});
  for (const p of demoPractitioners('human')) {
    const practitionerId = staff.find((s) => s.displayName === p.displayName)?.id;
    const locationId = rooms.find((r) => r.name === p.room)?.id;
    if (!practitionerId || !locationId) throw new Error(`demo practitioner ${p.displayName} or ${p.room} missing`);
    await admin.scheduling.schedules.upsert.mutate({ practitionerId, locationId, weekday: isoWeekday, ...DEMO_HOURS, validFrom: '2026-01-01' });
  }
}

/** Free slot start times (HH:MM) of one practitioner today, as the workstation's local API lists them. */
export async function freeSlotsToday(station: WorkstationUnderTest, practitioner: string): Promise<string[]> {
  const day = await station.workstation.caller.schedule.day({ date: today });
  return day.columns.filter((c) => c.practitionerName === practitioner).flatMap((c) => c.freeSlots.map((s) => s.start));
}

/**
 * Syncs the workstation until the locator is present (or absent), the way a desk would wait.
 * Between syncs it gives the screen up to 700 ms to catch up, and looks again as soon as the
 * locator is as wanted rather than after the whole pause.
 */
export async function syncUntil(station: WorkstationUnderTest, locator: Locator, want: 'present' | 'absent', timeoutMs = 40_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const count = await locator.count();
    if ((want === 'present') === count > 0) return;
    if (Date.now() > deadline) throw new Error(`still ${want === 'present' ? 'absent' : 'present'} after ${timeoutMs} ms of syncing`);
    await station.workstation.syncNow().catch(() => undefined);
    await locator.first().waitFor({ state: want === 'present' ? 'attached' : 'detached', timeout: 700 }).catch(() => undefined);
  }
}
