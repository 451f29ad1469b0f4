import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportTenant, type ExportManifest } from '../../sync-server/portability/export/export-tenant.ts';
import { mrnSystem } from '../../sync-server/portability/export/fhir-resources.ts';
import { OPERATIONAL_TABLES } from '../../sync-server/portability/export/operational-files.ts';
import { testEngines } from '../../sync-server/testing/engines.ts';
import { appCodeOf, startTestServer, syncClient, type TestServer } from '../../sync-server/testing/harness.ts';
import { PLANTERS } from '../isolation/planted-data.ts';
import { createAttackFixture, marker, secretsOf, type AttackFixture, type AttackOrg } from '../support/attack-fixture.ts';
import { assertValidR4, type Resource } from '../support/fhir-r4.ts';
import { requirePostgres, testPostgresUrl } from '../support/postgres.ts';
import { readExport, referencesIn, searchableText, type ReadExport } from './export-fixture.ts';

const engines = testEngines(await requirePostgres('test/portability export (PostgreSQL)'), testPostgresUrl());

const FHIR_TYPES = ['Organization', 'Location', 'Practitioner', 'PractitionerRole', 'Patient', 'Encounter', 'Appointment', 'ServiceRequest', 'DocumentReference'];
const NOW = new Date('2031-03-04T05:06:07.089Z');

/** A's vault markers: credentials must never appear in any export. */
const vaultMarkers = (org: AttackOrg) => org.markers.filter((m) => /^(Portal |svc-|secret-)/.test(m));

for (const engine of engines) {
  // On PostgreSQL org B sits on the dedicated tier (its own databases), so the export reads across placements.
  const bDedicated = engine.name === 'postgres';
  describe.skipIf(!engine.available)(`per-org export (${engine.name}${bDedicated ? ', org B dedicated' : ''})`, { timeout: 300_000 }, () => {
    const root = mkdtempSync(join(tmpdir(), 'clinicsync-export-test-'));
    const previousRoot = process.env.CLINICSYNC_EXPORT_DIR;
    let server: TestServer;
    let fx: AttackFixture;
    let manifest: ExportManifest;
    let exported: ReadExport;
    let bExported: ReadExport;
    let amendment = '';
    let linkedStaff = '';

    beforeAll(async () => {
      process.env.CLINICSYNC_EXPORT_DIR = join(root, 'server');
      server = await startTestServer(engine, { vault: { masterKey: { kind: 'env', variable: 'EXPORT_TEST_KEYRING', text: `export=${randomBytes(32).toString('base64')}` } } });
      fx = await createAttackFixture(server, PLANTERS);
      const { a } = fx;
      // An amendment (docStatus amended) and a staff record linked to the clinician's account (author references).
      const doctor = a.users.clinician.client;
      const draft = await doctor.clinical.notes.amend.mutate({ noteId: a.ids.note![0]!, body: `Addendum ${marker('Aamend')}` });
      await doctor.clinical.notes.sign.mutate({ id: draft.id });
      amendment = draft.id;
      const staff = await a.users.org_admin.client.personnel.staff.create.mutate({ displayName: 'Dr Linked', jobTitle: 'Physician', isPractitioner: true, jobRoles: ['physician'], userId: a.users.clinician.userId });
      linkedStaff = staff.id;
      if (bDedicated) expect((await server.admin.setTier({ tenantId: fx.b.tenantId, tier: 'dedicated' })).placement).toBe('dedicated');
      manifest = await exportTenant({ databases: server.databases, tenantId: a.tenantId, outDir: join(root, 'a'), now: NOW });
      exported = readExport(join(root, 'a'));
      await exportTenant({ databases: server.databases, tenantId: fx.b.tenantId, outDir: join(root, 'b') });
      bExported = readExport(join(root, 'b'));
    });
    afterAll(async () => {
      await server?.stop();
      if (previousRoot === undefined) delete process.env.CLINICSYNC_EXPORT_DIR;
      else process.env.CLINICSYNC_EXPORT_DIR = previousRoot;
      rmSync(root, { recursive: true, force: true });
    });

    it('writes a Bulk Data manifest whose counts match the files, a README describing every file and column', () => {
      expect(manifest).toMatchObject({ transactionTime: NOW.toISOString(), request: `Organization/${fx.a.tenantId}/$export`, requiresAccessToken: false, error: [] });
      expect(manifest.output.map((entry) => entry.type)).toEqual(FHIR_TYPES);
      for (const entry of manifest.output) {
        expect(entry.url).toBe(`${entry.type}.ndjson`);
        expect(exported.resources.get(entry.type)?.length ?? 0, entry.type).toBe(entry.count);
        expect(entry.count, entry.type).toBeGreaterThan(0);
      }
      for (const entry of manifest.extension.clinicsync.operational) {
        const text = exported.files.get(entry.url)!;
        const lines = text.split('\n').filter((line) => line !== '').length;
        expect(lines, entry.url).toBe(entry.format === 'csv' ? entry.count + 1 : entry.count);
      }
      const readme = exported.files.get('README.md')!;
      for (const file of [...manifest.output.map((entry) => entry.url), ...OPERATIONAL_TABLES.map((table) => table.file)]) expect(readme).toContain(`\`${file}\``);
      for (const table of OPERATIONAL_TABLES) for (const column of table.columns) expect(readme).toContain(`| \`${column.name}\` |`);
      expect(JSON.parse(exported.files.get('manifest.json')!)).toEqual(manifest);
    });

    it('writes only valid FHIR R4 (official definitions, required bindings included), one unique id per type', () => {
      let checked = 0;
      for (const [type, resources] of exported.resources) {
        const ids = new Set<string>();
        for (const resource of resources) {
          expect(resource.resourceType).toBe(type);
          assertValidR4(resource as Resource);
          ids.add(resource.id as string);
          checked++;
        }
        expect(ids.size, type).toBe(resources.length);
      }
      for (const resources of bExported.resources.values()) for (const resource of resources) assertValidR4(resource as Resource);
      expect(checked).toBeGreaterThanOrEqual(20);
    });

    it('resolves every reference inside the export', () => {
      for (const ex of [exported, bExported]) {
        const present = new Set([...ex.resources].flatMap(([type, resources]) => resources.map((resource) => `${type}/${resource.id as string}`)));
        const references = [...ex.resources.values()].flat().flatMap((resource) => referencesIn(resource));
        expect(references.length).toBeGreaterThan(20);
        expect(references.filter((reference) => !present.has(reference))).toEqual([]);
      }
      // Clinical records point at their patient, encounter and practitioner.
      const order = exported.resources.get('ServiceRequest')!.find((resource) => resource.id === fx.a.ids.order![0]);
      expect(order).toMatchObject({ subject: { reference: `Patient/${fx.a.ids.patient![0]}` }, encounter: { reference: `Encounter/${fx.a.ids.encounter![0]}` }, requester: { reference: `Practitioner/${linkedStaff}` } });
    });

    it("keeps the org's MRN, and only this org's view of a shared patient", () => {
      const patients = exported.resources.get('Patient')!;
      const shared = patients.find((patient) => patient.id === fx.shared.patient![0]);
      expect(shared).toMatchObject({ name: [{ family: 'Person', given: ['Shared'] }] });
      const identifiers = shared!.identifier as { system: string; value: string; type?: { coding: { code: string }[] } }[];
      expect(identifiers.filter((identifier) => identifier.type?.coding[0]?.code === 'MR')).toEqual([expect.objectContaining({ system: mrnSystem(fx.a.tenantId), value: 'A-SHARED' })]);
      for (const patient of patients) for (const identifier of (patient.identifier as { system: string }[] | undefined) ?? []) expect(identifier.system).toContain(fx.a.tenantId);
      const mrns = patients.flatMap((patient) => (patient.identifier as { system: string; value: string }[]).filter((identifier) => identifier.system === mrnSystem(fx.a.tenantId)).map((identifier) => identifier.value));
      for (const mrn of fx.a.markers.filter((m) => m.startsWith('MRN-'))) expect(mrns).toContain(mrn);
      // B's export holds the same person with B's MRN only.
      const inB = bExported.resources.get('Patient')!.find((patient) => patient.id === fx.shared.patient![0])!;
      expect(JSON.stringify(inB)).not.toContain('A-SHARED');
    });

    it('maps notes to DocumentReference: text as base64, draft/signed/amended as docStatus', () => {
      const docs = new Map(exported.resources.get('DocumentReference')!.map((doc) => [doc.id as string, doc]));
      const signed = docs.get(fx.a.ids.note![0]!)!;
      expect(signed).toMatchObject({ status: 'current', docStatus: 'final', context: { encounter: [{ reference: `Encounter/${fx.a.ids.encounter![0]}` }] } });
      const body = fx.a.markers.find((m) => m.startsWith('Assessment '))!;
      expect(Buffer.from((signed.content as { attachment: { data: string } }[])[0]!.attachment.data, 'base64').toString('utf8')).toBe(body);
      expect(docs.get(fx.a.ids.draftNote![0]!)).toMatchObject({ docStatus: 'preliminary' });
      expect(docs.get(amendment)).toMatchObject({ docStatus: 'amended', relatesTo: [{ code: 'appends', target: { reference: `DocumentReference/${fx.a.ids.note![0]}` } }], author: [{ reference: `Practitioner/${linkedStaff}` }] });
    });

    it("holds nothing of the other org (ids, MRNs, names, note texts, B-only patients) and never a vault credential", () => {
      const text = searchableText(exported);
      const bSecrets = secretsOf(fx.b, fx.shared);
      expect(bSecrets.length).toBeGreaterThan(20);
      expect(bSecrets.filter((secret) => text.includes(secret))).toEqual([]);
      expect(text).not.toContain(fx.b.tenantId);
      expect(vaultMarkers(fx.a).length).toBeGreaterThan(0);
      expect(vaultMarkers(fx.a).filter((secret) => text.includes(secret))).toEqual([]);
      // Symmetric: B's export (dedicated on PostgreSQL) holds nothing of A.
      const bText = searchableText(bExported);
      expect(secretsOf(fx.a, fx.shared).filter((secret) => bText.includes(secret) && !/^(Portal |svc-|secret-)/.test(secret))).toEqual([]);
      expect(vaultMarkers(fx.b).filter((secret) => bText.includes(secret))).toEqual([]);
      // And A's own planted records are there (the scan is not vacuous): patients, MRNs, notes, orders, staff, rooms, visits, licences.
      const mustHave = secretsOf(fx.a, fx.shared).filter((secret) => /^(MRN-|Afam|Assessment |Draft |Panel |Synced |Dr |Room |Visit |Desk visit |LIC-)/.test(secret));
      expect(mustHave.length).toBeGreaterThan(12);
      expect(mustHave.filter((secret) => !text.includes(secret))).toEqual([]);
      for (const id of [...fx.a.ids.patient!, ...fx.a.ids.encounter!, ...fx.a.ids.note!, ...fx.a.ids.order!, ...fx.a.ids.staff!, ...fx.a.ids.location!, ...fx.a.ids.schedule!]) expect(text).toContain(id);
    });

    it('refuses a second export into a folder that is not empty', async () => {
      await expect(exportTenant({ databases: server.databases, tenantId: fx.a.tenantId, outDir: join(root, 'a') })).rejects.toThrow(/not empty/);
    });

    it('serves org admins only (exports.*): create, fetch in chunks, remove; front desk, clinician and another org refused', async () => {
      const { a, b } = fx;
      expect(await appCodeOf(a.users.front_desk.client.exports.create.mutate({}))).toBe('FORBIDDEN');
      expect(await appCodeOf(a.users.clinician.client.exports.create.mutate({}))).toBe('FORBIDDEN');
      expect(await appCodeOf(a.users.it_admin.client.exports.create.mutate({}))).toBe('FORBIDDEN');
      // B's admin token presented for org A: refused at request entry, nothing created.
      const crossed = syncClient(server.url, { tenantId: a.tenantId, token: b.users.org_admin.session.token });
      expect(await appCodeOf(crossed.exports.create.mutate({}))).toBeDefined();
      const admin = a.users.org_admin.client;
      const created = await admin.exports.create.mutate({});
      expect(created.manifest.extension.clinicsync.tenantId).toBe(a.tenantId);
      let text = '';
      let offset: number | null = 0;
      let calls = 0;
      while (offset !== null) {
        const chunk: { data: string; nextOffset: number | null } = await admin.exports.readFile.query({ exportId: created.exportId, file: 'Patient.ndjson', offset });
        text += Buffer.from(chunk.data, 'base64').toString('utf8');
        offset = chunk.nextOffset;
        calls++;
      }
      expect(calls).toBeGreaterThan(0);
      expect(text.split('\n').filter((line) => line !== '').length).toBe(created.manifest.output.find((entry) => entry.type === 'Patient')!.count);
      // B's admin cannot read A's export by its id; a file outside the manifest is refused.
      expect(await appCodeOf(b.users.org_admin.client.exports.readFile.query({ exportId: created.exportId, file: 'Patient.ndjson' }))).toBe('NOT_FOUND');
      expect(await appCodeOf(admin.exports.readFile.query({ exportId: created.exportId, file: '../manifest.json' }))).toBe('VALIDATION');
      expect(await appCodeOf(admin.exports.readFile.query({ exportId: created.exportId, file: 'Secret.ndjson' }))).toBe('NOT_FOUND');
      expect(await b.users.org_admin.client.exports.remove.mutate({ exportId: created.exportId })).toEqual({ removed: false });
      expect(await admin.exports.remove.mutate({ exportId: created.exportId })).toEqual({ removed: true });
      expect(await appCodeOf(admin.exports.readFile.query({ exportId: created.exportId, file: 'Patient.ndjson' }))).toBe('NOT_FOUND');
    });
  });
}
