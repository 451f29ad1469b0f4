import { describe, expect, it } from 'vitest';
import { seriousA11yViolations } from './support/a11y.ts';
import { e2eStack, screenshot } from './support/e2e-stack.ts';
import { chromiumForSuite, demoUser } from './support/suite.ts';
import { bookAppointment, createPatient, scheduledAppointment, patientRow, searchPatients, signIn, syncNow, syncUntilVisible, waitForPatientsScreen } from './support/ui.ts';

/**
 * Two clinics, three workstations, real everything: the sync server on PGlite, three
 * workstation cores with encrypted stores behind browser-mode hosts, and the built
 * renderer in Chromium. A patient created on A1 (northside) must reach A2 (northside)
 * and must never show on B1 (lakeview).
 */
const chromiumOk = chromiumForSuite('two workstations in Chromium');

describe.skipIf(!chromiumOk)('two workstations, two orgs (browser mode, real Chromium)', () => {
  const stack = e2eStack({ server: 'demo', stations: ['A1', 'A2', 'B1'] });

  it('syncs a new patient to the same org only', async () => {
    const [a1Station, a2Station, b1Station] = [stack.station('A1'), stack.station('A2'), stack.station('B1')];
    const [northside, lakeview] = [stack.org('northside'), stack.org('lakeview')];
    const marker = `Zz${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
    const patient = { givenName: 'Eetu', familyName: marker, birthDate: '1984-03-15', sex: 'other' as const, phone: '+358 40 123 4567', mrn: `E2E-${marker}`.slice(0, 40) };

    // A1: the sign-in screen is accessible, wrong credentials say so, right ones get in.
    const a1 = await stack.pages.open(a1Station);
    await a1.getByRole('heading', { name: 'Clinicsync' }).waitFor();
    expect(await seriousA11yViolations(a1), 'sign-in screen: serious/critical axe violations').toEqual([]);
    await signIn(a1, { ...demoUser(northside), password: 'definitely-not-the-password' });
    await expect.poll(() => a1.getByRole('alert').textContent(), { timeout: 15_000 }).toMatch(/check the organization code, username and password/i);
    await signIn(a1, demoUser(northside));
    await waitForPatientsScreen(a1);
    await a1.getByRole('banner').getByText(northside.name).waitFor();
    expect(await seriousA11yViolations(a1), 'patients screen: serious/critical axe violations').toEqual([]);

    // A2 and B1 sign in the same way.
    const a2 = await stack.openSignedIn(a2Station, demoUser(northside, 'clinician'));
    const b1 = await stack.openSignedIn(b1Station, demoUser(lakeview));
    await waitForPatientsScreen(a2);
    await waitForPatientsScreen(b1);
    await b1.getByRole('banner').getByText(lakeview.name).waitFor();

    // A1 creates the patient; it shows at once, marked pending, and the form can be re-checked by axe.
    await a1.getByRole('button', { name: 'New patient' }).click();
    expect(await seriousA11yViolations(a1), 'new-patient form: serious/critical axe violations').toEqual([]);
    await a1.getByRole('button', { name: 'Cancel' }).click();
    await createPatient(a1, patient);
    const a1Row = patientRow(a1, patient);
    await a1Row.waitFor({ timeout: 15_000 });
    await screenshot(a1, 'two-workstations', 'a1-after-create');
    // Then the engine pushes it and the marker clears.
    await syncUntilVisible(a1, a1Row.filter({ hasText: 'Synced' }), 45_000);

    // A2 (same org) receives it.
    await searchPatients(a2, marker);
    const a2Row = patientRow(a2, patient);
    await syncUntilVisible(a2, a2Row, 45_000);
    await expect.poll(() => a2Row.textContent()).toContain(patient.mrn);
    await screenshot(a2, 'two-workstations', 'a2-shows-patient');

    // B1 (other org) has synced after the server had the patient, and still cannot find it.
    await syncNow(b1);
    await syncNow(b1);
    await searchPatients(b1, patient.mrn);
    await b1.getByText('No patients match this search.').waitFor({ timeout: 15_000 });
    expect(await b1.getByText(marker).count()).toBe(0);
    await searchPatients(b1, marker);
    await b1.getByText('No patients match this search.').waitFor({ timeout: 15_000 });
    expect(await b1.getByText(marker).count()).toBe(0);
    // Its own org's demo patients are still there, so the empty result is not an empty store.
    await searchPatients(b1, '');
    await b1.getByRole('rowheader').first().waitFor({ timeout: 15_000 });
    await searchPatients(b1, marker);
    await b1.getByText('No patients match this search.').waitFor({ timeout: 15_000 });
    await screenshot(b1, 'two-workstations', 'b1-does-not-show-patient');

    // A1 books the new patient in; the appointment lists with the patient's name.
    await bookAppointment(a1, { findPatient: marker, patientLabel: `${patient.familyName}, ${patient.givenName} (${patient.mrn})`, reason: `Review ${marker}`, practitionerName: 'Dr. Test Gamma', location: 'Room 3' });
    await scheduledAppointment(a1, `Review ${marker}`, `${patient.givenName} ${patient.familyName}`).waitFor({ timeout: 15_000 });
    expect(await seriousA11yViolations(a1), 'schedule screen: serious/critical axe violations').toEqual([]);
    await screenshot(a1, 'two-workstations', 'a1-appointments', false);

    // Signing out returns B1 to the sign-in screen.
    await b1.getByRole('button', { name: 'Sign out' }).click();
    await b1.getByRole('button', { name: 'Sign in' }).waitFor({ timeout: 15_000 });
    expect(await b1.getByRole('table').count()).toBe(0);

    expect(stack.pages.pageErrors).toEqual([]);
  }, 180_000);
});
