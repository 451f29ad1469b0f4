import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requirePostgres, testPostgresUrl } from '../../test/support/postgres.ts';
import { uuidv7 } from '../../shared/ids.ts';
import { scrape, samplesOf, type Exposition } from '../observability/testing/prometheus-text.ts';
import { testEngines } from '../testing/engines.ts';
import { appointmentFields, createOrg, patientFields, signedIn, startTestServer, type TestDevice, type TestServer } from '../testing/harness.ts';

const engines = testEngines(await requirePostgres('sync-server/sync/push-statements (PostgreSQL)'), testPostgresUrl());

/**
 * The statements (on PostgreSQL, round trips) one push of one new patient sends, as the
 * server's own metric counts them (clinicsync_db_statements_total): request entry in
 * tenant_info (the org and session read, one statement: tenant_info.request_entry), the patient in
 * master_data (BEGIN, ledger claim, link lock, patient insert, link insert, feed locks +
 * feed row, COMMIT), and the call's audit entry (one statement: audit.append_chained, which locks the chain head it
 * expects and appends in the statement's implicit transaction, no BEGIN/COMMIT).
 * Each round trip costs the server and PostgreSQL more CPU than these statements do
 * (docs/scale.md, "Throughput"), so a change that adds one to this path fails here.
 */
const BUDGET: Record<string, number> = { tenant_info: 1, master_data: 1, audit: 1 };

/**
 * A desk booking an appointment for a patient of the org: request entry, the patient check
 * in master_data (asked before the scheduling transaction, never across databases; one
 * statement, master_data.linked_patient_ids), the appointment in scheduling (BEGIN, ledger
 * claim, booking lock, appointment lock, insert, booking-conflict reconciliation, feed,
 * COMMIT), the audit entry.
 */
const APPOINTMENT_BUDGET: Record<string, number> = { tenant_info: 1, master_data: 1, scheduling: 8, audit: 1 };

for (const engine of engines) {
  describe.skipIf(!engine.available)(`statements of one push (${engine.name})`, () => {
    let server: TestServer;
    let device: TestDevice;

    beforeAll(async () => {
      server = await startTestServer(engine, { metrics: { listen: { host: '127.0.0.1', port: 0 } } });
      const org = await createOrg(server, 'statements');
      ({ device } = await signedIn(server, { code: 'statements', ...org }));
      // Warm: the first push of a connection prepares its statements; the count is the same, but the steady state is what is measured.
      await device.push(device.mutation('patient', uuidv7(), patientFields({ mrn: 'S-1' })));
    });
    afterAll(() => server?.stop());

    const byDomain = (e: Exposition): Map<string, number> => {
      const totals = new Map<string, number>();
      for (const sample of samplesOf(e, 'clinicsync_db_statements_total')) {
        const domain = sample.labels.domain!;
        totals.set(domain, (totals.get(domain) ?? 0) + sample.value);
      }
      return totals;
    };

    /** Statements per domain database one push spent, read from the server's own counter. */
    const spentOn = async (push: () => Promise<{ results: { status: string }[] }>, budget: Record<string, number>) => {
      const before = byDomain(await scrape(server.metricsUrl!));
      const pushed = await push();
      expect(pushed.results).toEqual([expect.objectContaining({ status: 'applied' })]);
      const after = byDomain(await scrape(server.metricsUrl!));
      // The other domains: nothing but the background pollers of process_automation (outbox relay, jobs).
      for (const [domain, total] of after) {
        if (domain in budget || domain === 'process_automation') continue;
        expect(total - (before.get(domain) ?? 0), domain).toBe(0);
      }
      return Object.fromEntries(Object.keys(budget).map((domain) => [domain, (after.get(domain) ?? 0) - (before.get(domain) ?? 0)]));
    };
    const withinBudget = (spent: Record<string, number>, budget: Record<string, number>) => {
      // Each domain the push touches spent something (the counter counts), and no more than its budget.
      for (const [domain, limit] of Object.entries(budget)) {
        expect(spent[domain], domain).toBeGreaterThan(0);
        expect(spent[domain], domain).toBeLessThanOrEqual(limit);
      }
    };

    it(`a push of one new patient sends at most ${Object.values(BUDGET).reduce((a, b) => a + b)} statements: ${JSON.stringify(BUDGET)}`, async () => {
      withinBudget(await spentOn(() => device.push(device.mutation('patient', uuidv7(), patientFields({ mrn: 'S-2' }))), BUDGET), BUDGET);
    });

    it(`a push of one appointment for a patient of the org sends at most ${Object.values(APPOINTMENT_BUDGET).reduce((a, b) => a + b)} statements: ${JSON.stringify(APPOINTMENT_BUDGET)}`, async () => {
      const patientId = uuidv7();
      await device.push(device.mutation('patient', patientId, patientFields({ mrn: 'S-3' })));
      // Warm the appointment path's statements too (see beforeAll).
      await device.push(device.mutation('appointment', uuidv7(), appointmentFields(patientId)));
      const spent = await spentOn(() => device.push(device.mutation('appointment', uuidv7(), appointmentFields(patientId, { startsAt: '2030-01-08T09:00:00.000Z', endsAt: '2030-01-08T09:30:00.000Z' }))), APPOINTMENT_BUDGET);
      withinBudget(spent, APPOINTMENT_BUDGET);
    });
  });
}
