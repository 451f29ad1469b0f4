import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { entitiesOfDomain } from '../../shared/entities/catalog.ts';
import { domainDigest, type ChecksumRow } from '../../shared/sync/checksum.ts';
import { uuidv7 } from '../../shared/ids.ts';
import { decodeColumn, ENTITY_TABLES, type ColumnEncoding } from '../store/entity-tables.ts';
import { OrgStore } from '../store/org-store.ts';
import { sampleAppointment, samplePatient } from '../store/test-fixtures.ts';
import { tempDir } from '../test-support/temp-dir.ts';
import { randomBytes } from 'node:crypto';
import { localDigest } from './checksum-check.ts';

let dir: ReturnType<typeof tempDir> | undefined;
let store: OrgStore | undefined;
afterEach(() => {
  store?.close();
  dir?.remove();
  store = dir = undefined;
});

/** Every row of the domain in one read, in whatever order: what domainDigest is defined over. */
function allRows(open: OrgStore, domain: 'master_data' | 'scheduling'): ChecksumRow[] {
  return entitiesOfDomain(domain).flatMap((entity) => {
    const spec = ENTITY_TABLES[entity];
    const encoded = (spec.encoded ?? {}) as Record<string, ColumnEncoding>;
    return open.db.prepare<[], Record<string, unknown>>(`SELECT * FROM ${spec.table} ORDER BY random()`).all().map((row) => ({
      entity,
      id: String(row['id']),
      version: typeof row['version'] === 'number' ? row['version'] : null,
      fields: Object.fromEntries(Object.entries(spec.columns as Record<string, string>).map(([field, column]) => [field, decodeColumn(encoded[field], row[column])])),
    }));
  });
}

describe('the local checksum digest', () => {
  it('is the shared digest of the domain, read page by page with the event loop running between pages', async () => {
    dir = tempDir();
    store = OrgStore.open({ path: join(dir.path, 'org.db'), key: randomBytes(32), tenantId: uuidv7(), deviceId: uuidv7() });
    const open = store;
    open.db.transaction(() => {
      for (let i = 0; i < 3_500; i++) {
        const { id } = open.patients.create(samplePatient({ familyName: `Digest${i}`, mrn: `MRN-${i}` }));
        if (i % 2 === 0) open.appointments.create(sampleAppointment(id));
      }
    })();

    for (const domain of ['master_data', 'scheduling'] as const) expect(await localDigest(open, domain)).toEqual(await domainDigest(allRows(open, domain)));

    // The local API gets its turn while the digest runs: a patient registered on the first
    // turn (its uuidv7 id sorts after every other) is still read, by a later page. A digest
    // that read the whole domain in one go would have finished reading before that turn.
    let registered = false;
    setImmediate(() => {
      open.patients.create(samplePatient({ familyName: 'Walkin', mrn: 'MRN-WALKIN' }));
      registered = true;
    });
    const during = await localDigest(open, 'master_data');
    expect(registered).toBe(true);
    expect(during.rows).toBe(3_501);
  });
});
