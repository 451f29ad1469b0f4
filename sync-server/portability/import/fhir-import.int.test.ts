import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requirePostgres, testPostgresUrl } from '../../../test/support/postgres.ts';
import { openServerCore, type ServerCore } from '../../server.ts';
import { freshDatabase, testEngines, type TestDatabase } from '../../testing/engines.ts';
import { NPI, practiceBundle, practiceNdjson } from '../../testing/import-fixtures.ts';
import { importTargetsOf } from './import-targets.ts';
import { runImport, type ImportResult } from './run-import.ts';

const engines = testEngines(await requirePostgres('sync-server/portability/import/fhir-import (PostgreSQL)'), testPostgresUrl());

interface Snapshot {
  patients: { mrn: string; givenName: string; familyName: string; birthDate: string; sex: string; phone: string; identifiers: number }[];
  staff: { displayName: string; npi: string | null; isPractitioner: boolean }[];
  locations: { name: string; kind: string }[];
  appointments: { mrn: string; status: string; practitioner: string | null; practitionerName: string; location: string | null; locationName: string; reason: string; startsAt: string }[];
}

for (const engine of engines) {
  describe.skipIf(!engine.available)(`FHIR R4 import: Bundle and Bulk NDJSON (${engine.name})`, { timeout: 120_000 }, () => {
    let db: TestDatabase;
    let core: ServerCore;
    const folder = mkdtempSync(join(tmpdir(), 'clinicsync-import-'));
    const tenants: Record<string, string> = {};

    /** Everything an org has in the three domains the import writes, joined across them in the test (never in the server). */
    async function snapshot(tenantId: string): Promise<Snapshot> {
      const { master_data, personnel, scheduling } = core.databases.domains;
      const patients = await master_data.withTenant(tenantId, (sql) =>
        sql.query<Snapshot['patients'][number] & { id: string }>(
          `SELECT p.id::text AS id, tp.mrn, p.given_name AS "givenName", p.family_name AS "familyName", p.birth_date::text AS "birthDate", p.sex, p.phone,
             (SELECT count(*)::int FROM master_data.patient_identifiers i WHERE i.tenant_id = tp.tenant_id AND i.patient_id = p.id) AS identifiers
           FROM master_data.tenant_patients tp JOIN master_data.patients p ON p.id = tp.patient_id WHERE tp.tenant_id = $1 AND NOT tp.deleted ORDER BY tp.mrn`,
          [tenantId],
        ),
      );
      const staff = await personnel.withTenant(tenantId, (sql) =>
        sql.query<Snapshot['staff'][number] & { id: string }>(
          'SELECT id::text AS id, display_name AS "displayName", npi, is_practitioner AS "isPractitioner" FROM personnel.staff WHERE tenant_id = $1 ORDER BY display_name',
          [tenantId],
        ),
      );
      const { locations, appointments } = await scheduling.withTenant(tenantId, async (sql) => ({
        locations: await sql.query<{ id: string; name: string; kind: string }>('SELECT id::text AS id, name, kind FROM scheduling.locations WHERE tenant_id = $1 ORDER BY name', [tenantId]),
        appointments: await sql.query<{ patientId: string; status: string; practitionerId: string | null; practitionerName: string; locationId: string | null; locationName: string; reason: string; startsAt: Date }>(
          `SELECT patient_id::text AS "patientId", status, practitioner_id::text AS "practitionerId", practitioner_name AS "practitionerName",
             location_id::text AS "locationId", location AS "locationName", reason, starts_at AS "startsAt"
           FROM scheduling.appointments WHERE tenant_id = $1 AND NOT deleted ORDER BY starts_at`,
          [tenantId],
        ),
      }));
      const mrnOf = new Map(patients.map((p) => [p.id, p.mrn]));
      const staffName = new Map(staff.map((s) => [s.id, s.displayName]));
      const locationName = new Map(locations.map((l) => [l.id, l.name]));
      return {
        patients: patients.map(({ id: _id, ...rest }) => rest),
        staff: staff.map(({ id: _id, ...rest }) => rest),
        locations: locations.map(({ id: _id, ...rest }) => rest),
        appointments: appointments.map((a) => ({
          mrn: mrnOf.get(a.patientId) ?? 'NOT LINKED',
          status: a.status,
          practitioner: a.practitionerId ? (staffName.get(a.practitionerId) ?? 'UNKNOWN') : null,
          practitionerName: a.practitionerName,
          location: a.locationId ? (locationName.get(a.locationId) ?? 'UNKNOWN') : null,
          locationName: a.locationName,
          reason: a.reason,
          startsAt: new Date(a.startsAt).toISOString(),
        })),
      };
    }

    const EXPECTED: Snapshot = {
      patients: [
        { mrn: 'M-1', givenName: 'Ada', familyName: 'Lovelace', birthDate: '1975-12-10', sex: 'female', phone: '555-0101', identifiers: 1 },
        { mrn: 'M-2', givenName: 'Grace Brewster', familyName: 'Hopper', birthDate: '1906-12-09', sex: 'female', phone: '', identifiers: 0 },
        { mrn: 'M-3', givenName: 'Alan', familyName: 'Turing', birthDate: '1912-06-23', sex: 'male', phone: '', identifiers: 0 },
      ],
      staff: [
        { displayName: 'Dr. Jane Smith', npi: NPI, isPractitioner: true },
        { displayName: 'Omar Haddad, NP', npi: null, isPractitioner: true },
      ],
      locations: [
        { name: 'Main clinic', kind: 'clinic' },
        { name: 'Room 2', kind: 'room' },
      ],
      appointments: [
        { mrn: 'M-1', status: 'booked', practitioner: 'Dr. Jane Smith', practitionerName: 'Dr. Jane Smith', location: 'Main clinic', locationName: 'Main clinic', reason: 'Annual check-up', startsAt: '2026-03-02T09:00:00.000Z' },
        { mrn: 'M-2', status: 'checked_in', practitioner: 'Omar Haddad, NP', practitionerName: 'Omar Haddad, NP', location: 'Room 2', locationName: 'Room 2', reason: '', startsAt: '2026-03-02T09:30:00.000Z' },
        { mrn: 'M-3', status: 'cancelled', practitioner: null, practitionerName: '', location: null, locationName: '', reason: '', startsAt: '2026-03-03T08:00:00.000Z' },
      ],
    };

    const reportLines = (result: ImportResult) => readFileSync(result.reportPath, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);

    beforeAll(async () => {
      db = await freshDatabase(engine);
      core = await openServerCore({ database: db.options });
      for (const code of ['imp-bundle', 'imp-ndjson', 'imp-bystander']) tenants[code] = (await core.admin.createTenant({ code, name: code })).tenantId;
      writeFileSync(join(folder, 'bundle.json'), JSON.stringify(practiceBundle()));
      mkdirSync(join(folder, 'ndjson'));
      for (const [name, content] of Object.entries(practiceNdjson())) writeFileSync(join(folder, 'ndjson', name), content);
      // A line that is not JSON and a resource of the wrong type: reported by line, the rest imported.
      appendFileSync(join(folder, 'ndjson', 'Location.ndjson'), '{"resourceType": "Location", "name": \n{"resourceType": "Patient", "id": "stray"}\n');
      // A type the import does not take: left out with a warning.
      writeFileSync(join(folder, 'ndjson', 'Encounter.ndjson'), '{"resourceType":"Encounter","id":"e1"}\n');
    });
    afterAll(async () => {
      await core?.close();
      await db?.drop();
      rmSync(folder, { recursive: true, force: true });
    });

    it('imports a transaction Bundle, resolving urn:uuid references; a second run changes nothing', async () => {
      const tenantId = tenants['imp-bundle']!;
      const bystander = await snapshot(tenants['imp-bystander']!);
      const first = await runImport(importTargetsOf(core), tenantId, { kind: 'fhir', path: join(folder, 'bundle.json') }, join(folder, 'bundle-1.ndjson'));
      expect(first.readable).toBe(true);
      expect(first.counts).toEqual({
        patients: { read: 4, created: 3, linked: 0, unchanged: 0, failed: 1 },
        practitioners: { read: 2, created: 2, linked: 0, unchanged: 0, failed: 0 },
        locations: { read: 2, created: 2, linked: 0, unchanged: 0, failed: 0 },
        appointments: { read: 4, created: 3, linked: 0, unchanged: 0, failed: 1 },
      });
      expect(await snapshot(tenantId)).toEqual(EXPECTED);

      // The report names each bad row by file, entry and id, and the field; it quotes no value.
      const issues = reportLines(first).filter((line) => line.severity === 'error');
      expect(issues).toEqual([
        { severity: 'error', kind: 'patients', file: 'bundle.json', entry: 3, id: 'pat-nomrn', field: 'identifier (MRN)', message: 'has no identifier of type MR (the MRN)' },
        expect.objectContaining({ kind: 'appointments', file: 'bundle.json', entry: 11, id: 'apt-bad', field: 'participant' }),
      ]);
      expect(readFileSync(first.reportPath, 'utf8')).not.toMatch(/Nobody|Lovelace|M-1|1975/);

      const second = await runImport(importTargetsOf(core), tenantId, { kind: 'fhir', path: join(folder, 'bundle.json') }, join(folder, 'bundle-2.ndjson'));
      expect(second.counts).toEqual({
        patients: { read: 4, created: 0, linked: 0, unchanged: 3, failed: 1 },
        practitioners: { read: 2, created: 0, linked: 0, unchanged: 2, failed: 0 },
        locations: { read: 2, created: 0, linked: 0, unchanged: 2, failed: 0 },
        appointments: { read: 4, created: 0, linked: 0, unchanged: 3, failed: 1 },
      });
      expect(await snapshot(tenantId)).toEqual(EXPECTED);
      // Another org saw none of it.
      expect(await snapshot(tenants['imp-bystander']!)).toEqual(bystander);
    });

    it('imports a Bulk Data NDJSON folder line by line, referencing by absolute URL; a second run changes nothing', async () => {
      const tenantId = tenants['imp-ndjson']!;
      const others = { bundle: await snapshot(tenants['imp-bundle']!), bystander: await snapshot(tenants['imp-bystander']!) };
      const path = join(folder, 'ndjson');
      const first = await runImport(importTargetsOf(core), tenantId, { kind: 'fhir', path }, join(folder, 'ndjson-1.ndjson'), { batchSize: 2 });
      expect(first.counts).toEqual({
        // Ada is already registered by the Bundle's org, and her SSN with the same names and
        // birth date is the strong match: linked, not a second Ada. The others are new here.
        patients: { read: 4, created: 2, linked: 1, unchanged: 0, failed: 1 },
        practitioners: { read: 2, created: 2, linked: 0, unchanged: 0, failed: 0 },
        locations: { read: 4, created: 2, linked: 0, unchanged: 0, failed: 2 },
        appointments: { read: 4, created: 3, linked: 0, unchanged: 0, failed: 1 },
      });
      expect(await snapshot(tenantId)).toEqual(EXPECTED);
      const lines = reportLines(first);
      expect(lines.filter((line) => line.kind === 'locations')).toEqual([
        { severity: 'error', kind: 'locations', file: 'Location.ndjson', line: 3, field: 'line', message: 'is not valid JSON' },
        { severity: 'error', kind: 'locations', file: 'Location.ndjson', line: 4, field: 'resourceType', message: 'must be Location in this file' },
      ]);
      expect(lines).toContainEqual(expect.objectContaining({ severity: 'error', kind: 'patients', file: 'Patient.ndjson', line: 4, id: 'pat-nomrn' }));
      expect(lines).toContainEqual(expect.objectContaining({ severity: 'warning', kind: 'file', file: 'Encounter.ndjson' }));
      // Grace and Alan are registered by the Bundle's org with the same names and birth dates
      // but no identifier: not the strong match, so new patients here, with the hint only.
      expect(lines.filter((line) => line.severity === 'warning' && line.kind === 'patients').map((line) => [line.id, String(line.message).slice(0, 26)])).toEqual([
        ['pat-grace', 'possible match not linked:'],
        ['pat-alan', 'possible match not linked:'],
      ]);
      expect(lines.at(-1)).toEqual({ summary: { counts: first.counts, errors: 4, warnings: 3 } });

      const second = await runImport(importTargetsOf(core), tenantId, { kind: 'fhir', path }, join(folder, 'ndjson-2.ndjson'), { batchSize: 2 });
      expect(second.counts.patients).toEqual({ read: 4, created: 0, linked: 0, unchanged: 3, failed: 1 });
      expect(second.counts.appointments).toEqual({ read: 4, created: 0, linked: 0, unchanged: 3, failed: 1 });
      expect(await snapshot(tenantId)).toEqual(EXPECTED);
      expect(await snapshot(tenants['imp-bundle']!)).toEqual(others.bundle);
      expect(await snapshot(tenants['imp-bystander']!)).toEqual(others.bystander);
    });

    it('takes the $export manifest and a Bundle that is no Bundle, reporting the file', async () => {
      const tenantId = tenants['imp-bystander']!;
      writeFileSync(join(folder, 'not-a-bundle.json'), JSON.stringify({ resourceType: 'Patient', id: 'x' }));
      const refused = await runImport(importTargetsOf(core), tenantId, { kind: 'fhir', path: join(folder, 'not-a-bundle.json') }, join(folder, 'refused.ndjson'));
      expect(refused.readable).toBe(false);
      expect(reportLines(refused)[0]).toEqual({ severity: 'error', kind: 'file', file: 'not-a-bundle.json', field: 'resourceType', message: 'must be a Bundle (or give an NDJSON directory or its manifest)' });
      expect((await snapshot(tenantId)).patients).toEqual([]);

      // A manifest lists only Patient: the other files next to it are not read.
      writeFileSync(join(folder, 'ndjson', 'manifest.json'), JSON.stringify({ transactionTime: '2026-01-01T00:00:00Z', request: 'https://old-ehr.example/fhir/$export', requiresAccessToken: true, output: [{ type: 'Patient', url: 'https://old-ehr.example/files/Patient.ndjson' }], error: [] }));
      const viaManifest = await runImport(importTargetsOf(core), tenantId, { kind: 'fhir', path: join(folder, 'ndjson') }, join(folder, 'manifest.ndjson'));
      rmSync(join(folder, 'ndjson', 'manifest.json'));
      expect(viaManifest.counts.patients).toEqual({ read: 4, created: 2, linked: 1, unchanged: 0, failed: 1 });
      expect(viaManifest.counts.locations.read).toBe(0);
    });
  });
}
