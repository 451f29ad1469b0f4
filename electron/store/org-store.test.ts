import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { uuidv7 } from '../../shared/ids.ts';
import { formatHlc } from '../../shared/hlc.ts';
import type { PullPage } from '../../shared/sync/pull.ts';
import { createFileKeystore } from '../keystore/file-keystore.ts';
import { tempDir } from '../test-support/temp-dir.ts';
import { listConflicts } from './conflicts.ts';
import { OrgStore } from './org-store.ts';
import { sampleAppointment, samplePatient } from './test-fixtures.ts';

let dir: ReturnType<typeof tempDir>;
let store: OrgStore | undefined;
afterEach(() => {
  store?.close();
  store = undefined;
  dir?.remove();
});

function openFresh(): OrgStore {
  dir = tempDir();
  store = OrgStore.open({ path: join(dir.path, 'stores', 'org.db'), key: randomBytes(32), tenantId: uuidv7(), deviceId: uuidv7() });
  return store;
}

const count = (s: OrgStore, table: string) => (s.db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;

describe('repositories + outbox', () => {
  it('writes the row and its mutation together', () => {
    const s = openFresh();
    const { id } = s.patients.create(samplePatient());
    const batch = s.pendingBatch(10);
    expect(batch).toHaveLength(1);
    expect(batch[0]).toMatchObject({ entity: 'patient', id, op: 'upsert', baseVersion: null, fields: samplePatient() });
    expect(s.listPatients()).toEqual([{ id, ...samplePatient(), pending: true }]);
    s.patients.update(id, { phone: '555 0199' });
    expect(s.pendingBatch(10).map((m) => m.fields)).toEqual([samplePatient(), { phone: '555 0199' }]);
    expect(s.pendingBatch(10)[1]!.hlc > s.pendingBatch(10)[0]!.hlc).toBe(true);
  });

  it('writes neither row nor outbox entry when validation fails, and says why', () => {
    const s = openFresh();
    expect(() => s.patients.create(samplePatient({ birthDate: '1980-02-30', givenName: '' }))).toThrow(
      expect.objectContaining({ code: 'VALIDATION', message: expect.stringMatching(/birthDate.*real calendar date/) }),
    );
    const { id } = s.patients.create(samplePatient());
    expect(() => s.appointments.create(sampleAppointment(id, { endsAt: '2030-05-01T08:00:00+02:00' }))).toThrow(
      expect.objectContaining({ code: 'VALIDATION', fieldErrors: { endsAt: 'must be after the start' } }),
    );
    expect(() => s.appointments.create(sampleAppointment(uuidv7()))).toThrow(expect.objectContaining({ code: 'VALIDATION' }));
    expect(() => s.patients.update(id, { nickname: 'x' })).toThrow(expect.objectContaining({ code: 'VALIDATION' }));
    expect([count(s, 'patients'), count(s, 'appointments'), count(s, 'outbox')]).toEqual([1, 0, 1]);
  });

  it('rolls the row back when the outbox append fails (one transaction)', () => {
    const s = openFresh();
    s.db.exec(`CREATE TEMP TRIGGER fail_outbox BEFORE INSERT ON outbox BEGIN SELECT RAISE(ABORT, 'outbox refused'); END`);
    expect(() => s.patients.create(samplePatient())).toThrow(/outbox refused/);
    expect([count(s, 'patients'), count(s, 'outbox')]).toEqual([0, 0]);
  });

  it('lists appointments in time order across UTC offsets, with the patient name', () => {
    const s = openFresh();
    const { id } = s.patients.create(samplePatient());
    s.appointments.create(sampleAppointment(id, { startsAt: '2030-05-01T09:00:00+00:00', endsAt: '2030-05-01T09:30:00+00:00', reason: 'later' }));
    s.appointments.create(sampleAppointment(id, { startsAt: '2030-05-01T10:00:00+02:00', endsAt: '2030-05-01T10:30:00+02:00', reason: 'earlier' }));
    expect(s.listAppointments().map((a) => [a.reason, a.patientName, a.pending])).toEqual([
      ['earlier', 'Ada Testperson', true],
      ['later', 'Ada Testperson', true],
    ]);
  });

  it('finds patients by name prefix, birth date, MRN or phone digits', () => {
    const s = openFresh();
    s.patients.create(samplePatient());
    s.patients.create(samplePatient({ givenName: 'Bob', familyName: 'Other', birthDate: '1990-01-01', phone: '(555) 777-1234', mrn: 'X-9' }));
    const names = (search: string) => s.listPatients({ search }).map((p) => p.givenName);
    expect(names('test')).toEqual(['Ada']);
    expect(names('ada test')).toEqual(['Ada']);
    expect(names('1990-01-01')).toEqual(['Bob']);
    expect(names('x-9')).toEqual(['Bob']);
    expect(names('5557771234')).toEqual(['Bob']);
    expect(names('%')).toEqual([]);
    expect(s.listPatients({ limit: 1 })).toHaveLength(1);
  });
});

describe('pulled pages', () => {
  const hlc = (ms: number, node = 'server') => formatHlc({ ms, counter: 0, node });
  const page = (s: OrgStore, over: Partial<PullPage>): PullPage => ({
    protocolVersion: 1,
    tenantId: s.tenantId,
    domain: 'master_data',
    changes: [],
    cursor: '5',
    hasMore: false,
    serverHlc: hlc(Date.now()),
    ...over,
  });

  it('merges field by field by HLC, keeps an unsent newer local edit, and logs the loser', () => {
    const s = openFresh();
    const { id } = s.patients.create(samplePatient());
    s.patients.update(id, { phone: '555 1111' }); // local, unsent, HLC ~ now
    s.applyPage(
      page(s, {
        changes: [
          {
            seq: '5',
            entity: 'patient',
            id,
            op: 'upsert',
            fields: { ...samplePatient(), phone: '555 2222', familyName: 'Renamed' },
            fieldHlc: { phone: hlc(1_000), familyName: hlc(Date.now() + 60_000) },
            version: 3,
          },
        ],
      }),
    );
    const [row] = s.listPatients();
    expect(row).toMatchObject({ phone: '555 1111', familyName: 'Renamed', pending: true });
    expect(s.cursor('master_data')).toBe('5');
    const conflicts = listConflicts(s.db).map((c) => [c.field, c.losingValue, c.source]);
    expect(conflicts).toEqual(
      expect.arrayContaining([
        ['phone', '555 2222', 'remote'],
        ['familyName', 'Testperson', 'local'],
      ]),
    );
    s.patients.update(id, { mrn: 'M-2' });
    expect(s.pendingBatch(10).at(-1)?.baseVersion).toBe(3);
  });

  it("refuses a page for another org: nothing applied, cursor unchanged", () => {
    const s = openFresh();
    const id = uuidv7();
    expect(() =>
      s.applyPage(page(s, { tenantId: uuidv7(), changes: [{ seq: '5', entity: 'patient', id, op: 'upsert', fields: samplePatient(), fieldHlc: {}, version: 1 }] })),
    ).toThrow(expect.objectContaining({ code: 'STORE_MISMATCH' }));
    expect(s.listPatients()).toEqual([]);
    expect(s.cursor('master_data')).toBe('0');
  });
});

describe('PHI at rest', () => {
  it('never appears in the raw bytes of the store, its -wal/-shm, or anything else under dataDir', async () => {
    dir = tempDir();
    const tenantId = uuidv7();
    const marker = 'Zqxjphimarker';
    const keystore = createFileKeystore({ dir: join(dir.path, 'keys'), passphrase: 'phi test passphrase', log: () => {} });
    const key = await keystore.getOrCreateStoreKey(tenantId);
    store = OrgStore.open({ path: join(dir.path, 'stores', `${tenantId}.db`), key, tenantId, deviceId: uuidv7() });
    for (let i = 0; i < 50; i++) {
      const { id } = store.patients.create(samplePatient({ givenName: `${marker}${i}`, familyName: marker, mrn: `${marker}${i}`, phone: '555 424242' }));
      store.appointments.create(sampleAppointment(id, { reason: `${marker} reason` }));
    }
    expect(store.listPatients({ search: marker })).toHaveLength(50);
    // Scan while open (WAL holds the fresh pages) and again after close (checkpointed).
    const scan = () => {
      const files = listFiles(dir.path);
      expect(files.some((f) => f.endsWith('-wal'))).toBe(true);
      return files;
    };
    const checkAll = (files: string[]) => {
      for (const file of files) {
        const bytes = readFileSync(file);
        for (const needle of [marker, '424242', Buffer.from(marker, 'utf16le').toString('latin1')]) {
          expect(bytes.includes(Buffer.from(needle, 'latin1')), `${needle} in ${file}`).toBe(false);
        }
      }
    };
    checkAll(scan());
    store.close();
    store = undefined;
    checkAll(listFiles(dir.path));
  });
});

function listFiles(root: string): string[] {
  return readdirSync(root, { recursive: true, encoding: 'utf8' })
    .map((name) => join(root, name))
    .filter((path) => statSync(path).isFile());
}
