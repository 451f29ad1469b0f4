import { uuidv7 } from '../../../shared/ids.ts';
import type { Sql } from '../../db/sql.ts';
import { insertNewAppointments, type NewAppointment } from '../../domains/scheduling/appointment-bulk.ts';
import { FeedWriter } from '../../sync/feed-writer.ts';
import type { AppointmentImportRow } from './appointment-rows.ts';
import { claimedKeys, claimKeys, lockImport, type ImportRun, type RowOutcome } from './import-run.ts';
import { resolvePatientKeys } from './patient-writer.ts';
import type { LocationImportRow } from './setup-rows.ts';
import { resolvePractitionerKeys } from './staff-writer.ts';

const duplicateId = (type: string) => `a ${type} with this id appears earlier in this file`;

/** One scheduling transaction for a batch, its feed flushed before commit and the org poked after. */
async function inScheduling<T>(run: ImportRun, body: (sql: Sql, feed: FeedWriter) => Promise<T>): Promise<T> {
  const { value, touched } = await run.targets.scheduling.withTenant(run.tenantId, async (sql) => {
    await lockImport(sql, run.tenantId);
    const feed = new FeedWriter('scheduling', run.tenantId);
    const value = await body(sql, feed);
    return { value, touched: await feed.flush(sql) };
  });
  run.targets.notify('scheduling', touched);
  return value;
}

/** Locations: a source key seen before, or a name the org already uses (names are unique per org), is that location. */
export function writeLocationBatch(run: ImportRun, rows: readonly LocationImportRow[]): Promise<RowOutcome[]> {
  const { tenantId } = run;
  return inScheduling(run, async (sql, feed) => {
    const claimed = await claimedKeys(sql, 'scheduling', tenantId, rows.map((row) => row.sourceKey));
    const byName = new Map(
      (await sql.query<{ name: string; id: string }>('SELECT name, id::text AS id FROM scheduling.locations WHERE tenant_id = $1 AND name = ANY ($2::text[])', [tenantId, rows.map((row) => row.name)])).map(
        (row) => [row.name, row.id],
      ),
    );
    const outcomes: RowOutcome[] = [];
    const keys: { key: string; targetId: string; entity: string }[] = [];
    const creates: (LocationImportRow & { id: string })[] = [];
    const seen = new Set<string>();
    for (const row of rows) {
      const prior = claimed.get(row.sourceKey);
      if (seen.has(row.sourceKey) || prior?.runId === run.runId) {
        outcomes.push({ place: row.place, result: 'failed', field: 'id', message: duplicateId('Location') });
        continue;
      }
      seen.add(row.sourceKey);
      const existing = prior?.targetId ?? byName.get(row.name);
      if (existing) {
        keys.push({ key: row.sourceKey, targetId: existing, entity: 'location' });
        outcomes.push({ place: row.place, result: 'unchanged' });
        continue;
      }
      const id = uuidv7();
      byName.set(row.name, id);
      creates.push({ ...row, id });
      keys.push({ key: row.sourceKey, targetId: id, entity: 'location' });
      outcomes.push({ place: row.place, result: 'created' });
    }
    if (creates.length > 0) {
      await sql.execute(
        `INSERT INTO scheduling.locations (tenant_id, id, name, kind, active)
         SELECT $1, x.id, x.name, x.kind, x.active FROM jsonb_to_recordset($2::jsonb) AS x (id uuid, name text, kind text, active boolean)`,
        [tenantId, JSON.stringify(creates)],
      );
      for (const row of creates) feed.touch('location', row.id);
    }
    await claimKeys(sql, 'scheduling', run, keys);
    return outcomes;
  });
}

/**
 * Appointments: each participant is found through the import keys of its own domain (the
 * patient in master_data and the practitioner in personnel, asked before the scheduling
 * transaction, never by a cross-database query; the location here). A participant that did
 * not make it into the org fails the appointment, so nothing is booked against the wrong one.
 */
export async function writeAppointmentBatch(run: ImportRun, rows: readonly AppointmentImportRow[]): Promise<RowOutcome[]> {
  const { tenantId } = run;
  const patients = await resolvePatientKeys(run, [...new Set(rows.map((row) => row.patientKey))]);
  const practitioners = await resolvePractitionerKeys(run, [...new Set(rows.flatMap((row) => (row.practitionerKey ? [row.practitionerKey] : [])))]);
  const hlc = run.targets.clock.tick();
  return inScheduling(run, async (sql, feed) => {
    const claimed = await claimedKeys(sql, 'scheduling', tenantId, rows.map((row) => row.sourceKey));
    const locationKeys = await claimedKeys(sql, 'scheduling', tenantId, rows.flatMap((row) => (row.locationKey ? [row.locationKey] : [])));
    const locationIds = [...new Set([...locationKeys.values()].map((key) => key.targetId))];
    const locationNames = new Map(
      (await sql.query<{ id: string; name: string }>('SELECT id::text AS id, name FROM scheduling.locations WHERE tenant_id = $1 AND id = ANY ($2::uuid[])', [tenantId, locationIds])).map(
        (row) => [row.id, row.name],
      ),
    );
    const outcomes: RowOutcome[] = [];
    const keys: { key: string; targetId: string; entity: string }[] = [];
    const creates: NewAppointment[] = [];
    const seen = new Set<string>();
    for (const row of rows) {
      const prior = claimed.get(row.sourceKey);
      if (seen.has(row.sourceKey) || prior?.runId === run.runId) {
        outcomes.push({ place: row.place, result: 'failed', field: 'id', message: duplicateId('Appointment') });
        continue;
      }
      seen.add(row.sourceKey);
      if (prior) {
        keys.push({ key: row.sourceKey, targetId: prior.targetId, entity: 'appointment' });
        outcomes.push({ place: row.place, result: 'unchanged' });
        continue;
      }
      const patientId = patients.get(row.patientKey);
      const practitioner = row.practitionerKey ? practitioners.get(row.practitionerKey) : undefined;
      const locationId = row.locationKey ? locationKeys.get(row.locationKey)?.targetId : undefined;
      const locationName = locationId ? locationNames.get(locationId) : undefined;
      const missing =
        patientId === undefined ? 'Patient' : row.practitionerKey && !practitioner ? 'Practitioner' : row.locationKey && locationName === undefined ? 'Location' : null;
      if (missing !== null || patientId === undefined) {
        outcomes.push({ place: row.place, result: 'failed', field: 'participant', message: `its ${missing} is neither in this import nor imported before (see that resource's own error, if any)` });
        continue;
      }
      const id = uuidv7();
      creates.push({
        id,
        patientId,
        startsAt: row.startsAt,
        endsAt: row.endsAt,
        status: row.status,
        reason: row.reason,
        practitionerName: practitioner?.name ?? '',
        location: locationName ?? '',
        practitionerId: practitioner?.id ?? null,
        locationId: locationId ?? null,
      });
      keys.push({ key: row.sourceKey, targetId: id, entity: 'appointment' });
      outcomes.push({ place: row.place, result: 'created' });
    }
    await insertNewAppointments(sql, feed, tenantId, creates, hlc);
    await claimKeys(sql, 'scheduling', run, keys);
    return outcomes;
  });
}
