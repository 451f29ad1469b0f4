import { uuidv7 } from '../../../shared/ids.ts';
import { FeedWriter } from '../../sync/feed-writer.ts';
import { claimedKeys, claimKeys, lockImport, type ImportRun, type RowOutcome } from './import-run.ts';
import type { PractitionerImportRow } from './setup-rows.ts';

const DUPLICATE_ID = 'a Practitioner with this id appears earlier in this file';

/**
 * Writes one batch of practitioners as staff of the org in one personnel transaction. A
 * source key seen before, or an NPI the org already has (NPIs are unique per org), is
 * that staff record ("already present"); the rest are new practitioners in the personnel
 * feed. Job roles, licences and sign-in links are set up afterwards, as for any new staff.
 */
export async function writePractitionerBatch(run: ImportRun, rows: readonly PractitionerImportRow[]): Promise<RowOutcome[]> {
  const { tenantId } = run;
  const { outcomes, touched } = await run.targets.personnel.withTenant(tenantId, async (sql) => {
    await lockImport(sql, tenantId);
    const claimed = await claimedKeys(sql, 'personnel', tenantId, rows.map((row) => row.sourceKey));
    const npis = rows.flatMap((row) => (row.npi ? [row.npi] : []));
    const byNpi = new Map(
      (await sql.query<{ npi: string; id: string }>('SELECT npi, id::text AS id FROM personnel.staff WHERE tenant_id = $1 AND npi = ANY ($2::text[])', [tenantId, npis])).map(
        (row) => [row.npi, row.id],
      ),
    );
    const outcomes: RowOutcome[] = [];
    const keys: { key: string; targetId: string }[] = [];
    const creates: (PractitionerImportRow & { id: string })[] = [];
    const seen = new Set<string>();
    for (const row of rows) {
      const prior = claimed.get(row.sourceKey);
      if (seen.has(row.sourceKey) || prior?.runId === run.runId) {
        outcomes.push({ place: row.place, result: 'failed', field: 'id', message: DUPLICATE_ID });
        continue;
      }
      seen.add(row.sourceKey);
      const existing = prior?.targetId ?? (row.npi ? byNpi.get(row.npi) : undefined);
      if (existing) {
        keys.push({ key: row.sourceKey, targetId: existing });
        outcomes.push({ place: row.place, result: 'unchanged' });
        continue;
      }
      const id = uuidv7();
      if (row.npi) byNpi.set(row.npi, id); // a second row with this NPI is the same person
      creates.push({ ...row, id });
      keys.push({ key: row.sourceKey, targetId: id });
      outcomes.push({ place: row.place, result: 'created' });
    }
    const feed = new FeedWriter('personnel', tenantId);
    if (creates.length > 0) {
      await sql.execute(
        `INSERT INTO personnel.staff (tenant_id, id, display_name, job_title, is_practitioner, npi, active)
         SELECT $1, x.id, x."displayName", '', true, x.npi, x.active
         FROM jsonb_to_recordset($2::jsonb) AS x (id uuid, "displayName" text, npi text, active boolean)`,
        [tenantId, JSON.stringify(creates)],
      );
      for (const row of creates) feed.touch('staff_member', row.id);
    }
    await claimKeys(sql, 'personnel', run, keys);
    return { outcomes, touched: await feed.flush(sql) };
  });
  run.targets.notify('personnel', touched);
  return outcomes;
}

/** Source practitioner keys → the org's staff id and display name, for the appointments of an import. */
export async function resolvePractitionerKeys(run: ImportRun, keys: readonly string[]): Promise<Map<string, { id: string; name: string }>> {
  if (keys.length === 0) return new Map();
  const rows = await run.targets.personnel.withTenant(run.tenantId, (sql) =>
    sql.query<{ key: string; id: string; name: string }>(
      `SELECT k.source_key AS key, s.id::text AS id, s.display_name AS name FROM personnel.import_keys k
       JOIN personnel.staff s ON s.tenant_id = k.tenant_id AND s.id = k.staff_id
       WHERE k.tenant_id = $1 AND k.source_key = ANY ($2::text[])`,
      [run.tenantId, [...keys]],
    ),
  );
  return new Map(rows.map((row) => [row.key, { id: row.id, name: row.name }]));
}
