import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requirePostgres, testPostgresUrl } from '../../../test/support/postgres.ts';
import { uuidv7 } from '../../../shared/ids.ts';
import { bulkCreatePatients } from '../../domains/master_data/patient-bulk.ts';
import { openServerCore, type ServerCore } from '../../server.ts';
import { freshDatabase, testEngines, type TestDatabase } from '../../testing/engines.ts';
import { importTargetsOf } from './import-targets.ts';
import { runImport } from './run-import.ts';

const engines = testEngines(await requirePostgres('sync-server/portability/import/roster-import (PostgreSQL)'), testPostgresUrl());

/** CRLF line ends, a byte-order mark, columns in another order, an unknown column, a quoted comma. */
const ROSTER = `\uFEFFMRN,family_name,given_name,birth_date,sex,phone,national_id,notes\r
B-1,LOVELACE,ada,1975-12-10,F,555-0101,123-45-6789,x\r
B-2,Near,Bob,1980-01-02,m,,N-77,\r
,Nomrn,Ann,1970-01-01,f,,,\r
B-4,Baddate,Ben,1980-02-30,m,,,\r
B-10,First,Fay,1990-05-05,f,,,\r
b-10,Second,Fay,1990-05-05,f,,,\r
B-6,Oddsex,Sam,1985-03-03,X,,,\r
B-12,"O'Brien, Jr",Pat,2001-07-07,unknown,"(555) 010-2000",,\r
`;

for (const engine of engines) {
  describe.skipIf(!engine.available)(`CSV roster import with strong-match linking (${engine.name})`, { timeout: 120_000 }, () => {
    let db: TestDatabase;
    let core: ServerCore;
    const folder = mkdtempSync(join(tmpdir(), 'clinicsync-roster-'));
    let orgA = '';
    let orgB = '';
    const ada = uuidv7();
    const bob = uuidv7();

    /** The org's patients by MRN (ids made in one millisecond have no registration order among them). */
    const patientsOf = async (tenantId: string) =>
      (await core.services.patientRegistry.directory.list(tenantId, { limit: 100 })).sort((x, y) => x.mrn.localeCompare(y.mrn, 'en', { numeric: true }));
    /** How many core identities carry this name and birth date, across every org (system access, test only). */
    const identities = (familyName: string, birthDate: string) =>
      core.databases.domains.master_data.system('test: count identities', async (sql) => {
        const rows = await sql.query<{ n: number }>('SELECT count(*)::int AS n FROM master_data.patients WHERE lower(family_name) = lower($1) AND birth_date = $2', [familyName, birthDate]);
        return rows[0]!.n;
      });

    beforeAll(async () => {
      db = await freshDatabase(engine);
      core = await openServerCore({ database: db.options });
      orgA = (await core.admin.createTenant({ code: 'roster-a', name: 'A' })).tenantId;
      orgB = (await core.admin.createTenant({ code: 'roster-b', name: 'B' })).tenantId;
      // Org A registered Ada and Bob before, each with a national id.
      await bulkCreatePatients(core.databases.domains.master_data, orgA, [
        { id: ada, givenName: 'Ada', familyName: 'Lovelace', birthDate: '1975-12-10', sex: 'female', phone: '555-0199', mrn: 'A-ADA' },
        { id: bob, givenName: 'Bob', familyName: 'Near', birthDate: '1980-01-03', sex: 'male', phone: '', mrn: 'A-BOB' },
      ], core.services.clock.tick());
      await core.services.patientRegistry.identifiers.add(orgA, ada, { system: 'national_id', value: '123456789' });
      await core.services.patientRegistry.identifiers.add(orgA, bob, { system: 'national_id', value: 'N77' });
      writeFileSync(join(folder, 'roster.csv'), ROSTER);
    });
    afterAll(async () => {
      await core?.close();
      await db?.drop();
      rmSync(folder, { recursive: true, force: true });
    });

    it('imports the good rows, links the strong match, reports each bad row by line and field, and runs again without change', async () => {
      const before = await patientsOf(orgA);
      const first = await runImport(importTargetsOf(core), orgB, { kind: 'roster', path: join(folder, 'roster.csv') }, join(folder, 'report-1.ndjson'), { batchSize: 3 });
      expect(first.counts.patients).toEqual({ read: 8, created: 3, linked: 1, unchanged: 0, failed: 4 });

      const report = readFileSync(first.reportPath, 'utf8');
      const lines = report.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
      // Row-level errors are written as found, write-time ones when their batch commits: order by line.
      const pick = (severity: string) =>
        lines.filter((l) => l.severity === severity).sort((x, y) => Number(x.line) - Number(y.line)).map((l) => [l.line, l.field, l.message]);
      expect(pick('error')).toEqual([
        [4, 'mrn', 'is required'],
        [5, 'birth_date', 'must be a real calendar date'],
        [7, 'mrn', 'appears earlier in this file (the MRN must name one patient)'],
        [8, 'sex', 'is not a known sex code (female, male, other, unknown, or F, M, O, U)'],
      ]);
      expect(pick('warning')).toEqual([
        [1, 'column 8', 'is not a roster column and was left out'],
        // Bob's national id matches, his birth date does not: no link, a new patient, a hint only.
        [3, 'patient', expect.stringMatching(/^possible match not linked: /)],
      ]);
      // Nothing of org A (its MRNs, Ada's phone or id) and no value from the file is in the report.
      expect(report).not.toMatch(/A-ADA|A-BOB|555-0199|Lovelace|LOVELACE|Near|1975|123-45|N-77/i);
      expect(report).not.toContain(ada);
      expect(report).not.toContain(orgA);

      const b = await patientsOf(orgB);
      expect(b.map((p) => [p.mrn, p.givenName, p.familyName, p.birthDate, p.sex, p.phone])).toEqual([
        ['B-1', 'Ada', 'Lovelace', '1975-12-10', 'female', '555-0199'], // the patient's own identity, org B's MRN
        ['B-2', 'Bob', 'Near', '1980-01-02', 'male', ''],
        ['B-10', 'Fay', 'First', '1990-05-05', 'female', ''],
        ['B-12', 'Pat', "O'Brien, Jr", '2001-07-07', 'unknown', '(555) 010-2000'],
      ]);
      expect(b[0]!.id).toBe(ada);
      expect(b[1]!.id).not.toBe(bob);
      expect(await identities('Lovelace', '1975-12-10')).toBe(1);
      expect((await core.services.patientRegistry.directory.get(orgB, ada)).identifiers).toEqual([{ system: 'national_id', value: '123456789' }]);
      // Org A is untouched, and still sees only its own MRNs and identifiers.
      expect(await patientsOf(orgA)).toEqual(before);
      expect((await core.services.patientRegistry.directory.get(orgA, bob)).identifiers).toEqual([{ system: 'national_id', value: 'N77' }]);

      const second = await runImport(importTargetsOf(core), orgB, { kind: 'roster', path: join(folder, 'roster.csv') }, join(folder, 'report-2.ndjson'), { batchSize: 3 });
      expect(second.counts.patients).toEqual({ read: 8, created: 0, linked: 0, unchanged: 4, failed: 4 });
      expect(await patientsOf(orgB)).toEqual(b);
      expect(await patientsOf(orgA)).toEqual(before);
      expect(await identities('Near', '1980-01-02')).toBe(1);
    });

    it('refuses a roster without the required columns, and stops at a quote left open after importing what came before', async () => {
      writeFileSync(join(folder, 'no-mrn.csv'), 'given_name,family_name,birth_date\nAda,Lovelace,1975-12-10\n');
      const refused = await runImport(importTargetsOf(core), orgB, { kind: 'roster', path: join(folder, 'no-mrn.csv') }, join(folder, 'report-3.ndjson'));
      expect(refused.readable).toBe(false);
      expect(refused.errors).toBe(1);
      expect(readFileSync(refused.reportPath, 'utf8')).toContain('"message":"lacks the required column(s) mrn"');

      writeFileSync(join(folder, 'open-quote.csv'), 'mrn,given_name,family_name,birth_date\nC-1,Cy,Quote,1999-09-09\nC-2,"Never closed,Quote,1999-09-09\nC-3,Not,Read,1999-09-09\n');
      const stopped = await runImport(importTargetsOf(core), orgB, { kind: 'roster', path: join(folder, 'open-quote.csv') }, join(folder, 'report-4.ndjson'));
      expect(stopped.readable).toBe(false);
      expect(stopped.counts.patients).toEqual({ read: 1, created: 1, linked: 0, unchanged: 0, failed: 0 });
      expect(readFileSync(stopped.reportPath, 'utf8')).toMatch(/"line":3,"field":"file","message":"cannot be read on from here: a quoted field is never closed"/);
    });
  });
}
