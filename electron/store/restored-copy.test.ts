import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { formatHlc } from '../../shared/hlc.ts';
import { uuidv7 } from '../../shared/ids.ts';
import type { PullPage } from '../../shared/sync/pull.ts';
import { tempDir } from '../test-support/temp-dir.ts';
import { META_CLOCK, readMeta } from './meta.ts';
import { OrgStore, type OrgStoreOptions } from './org-store.ts';
import { StoreOpenError } from './store-errors.ts';
import { sameStoreFileBytes, samplePatient, storeFileBytes } from './test-fixtures.ts';
import { readWatermark, watermarkMacKey, watermarkPath } from './watermark.ts';
import { readWriteGeneration } from './write-generation.ts';

const CRASH_WORKLOAD = fileURLToPath(new URL('./crash-after-commit.workload.ts', import.meta.url));

let dir: ReturnType<typeof tempDir> | undefined;
const open: OrgStore[] = [];
afterEach(() => {
  for (const store of open.splice(0)) store.close();
  dir?.remove();
  dir = undefined;
});

function newStoreOptions(name = 'org'): OrgStoreOptions {
  dir ??= tempDir();
  return { path: join(dir.path, 'stores', `${name}.db`), key: randomBytes(32), tenantId: uuidv7(), deviceId: uuidv7() };
}

function openStore(options: OrgStoreOptions): OrgStore {
  const store = OrgStore.open(options);
  open.push(store);
  return store;
}

function closeStore(store: OrgStore): void {
  store.close();
  open.splice(open.indexOf(store), 1);
}

/** A backup of the closed store's file, as a backup tool or disk image would hold it. */
function backUp(path: string): string {
  expect(existsSync(`${path}-wal`)).toBe(false); // closed cleanly: the file is the whole store
  const copy = `${path}.backup-copy`;
  copyFileSync(path, copy);
  return copy;
}

function putBack(copy: string, path: string): void {
  copyFileSync(copy, path);
}

function openError(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  return undefined;
}

const verifiedWatermark = (options: OrgStoreOptions) => readWatermark(watermarkPath(options.path), watermarkMacKey(options.key), options.tenantId);

function page(tenantId: string, serverHlc: string, cursor = '7'): PullPage {
  return { protocolVersion: 1, tenantId, domain: 'master_data', changes: [], cursor, hasMore: false, serverHlc };
}

const outboxRows = (store: OrgStore) =>
  store.db.prepare('SELECT seq, mutation_id AS mutationId, entity_id AS entityId, status, hlc FROM outbox ORDER BY seq').all() as {
    seq: number;
    mutationId: string;
    entityId: string;
    status: string;
    hlc: string;
  }[];

/**
 * The scene every test starts from: a store with an acknowledged patient, an unsent one,
 * a rejected change and a pull cursor, copied as a backup; then more work on the live
 * store (an edit, a new patient, a clock pushed forward by the server) that the copy
 * does not have.
 */
function restoredScene() {
  const options = newStoreOptions();
  const live = openStore(options);
  const acked = live.patients.create(samplePatient({ familyName: 'Acked', mrn: 'R-1' }));
  live.settle(live.pendingBatch(10).map((m) => ({ mutationId: m.mutationId, status: 'applied' as const })), formatHlc({ ms: Date.now(), counter: 0, node: 'server' }));
  const unsent = live.patients.create(samplePatient({ familyName: 'Unsent', mrn: 'R-2' }));
  const refused = live.patients.create(samplePatient({ familyName: 'Refused', mrn: 'R-3' }));
  const refusedMutation = live.pendingBatch(10).find((m) => m.id === refused.id)!;
  live.settle([{ mutationId: refusedMutation.mutationId, status: 'rejected', code: 'VALIDATION', reason: 'Refused by a test.' }], formatHlc({ ms: Date.now(), counter: 1, node: 'server' }));
  live.applyPage(page(options.tenantId, formatHlc({ ms: Date.now(), counter: 2, node: 'server' })));
  const copyOutbox = outboxRows(live);
  closeStore(live);
  const copy = backUp(options.path);

  // Work the copy will not have. The server's clock is 4 minutes ahead (within the allowed
  // drift), so the device clock jumps there: without the advance on recovery, a new edit
  // on the copy would get an older timestamp than edits the server already has.
  const later = openStore(options);
  later.patients.update(acked.id, { phone: '+1 555-0177' });
  const lost = later.patients.create(samplePatient({ familyName: 'Lostwrite', mrn: 'R-4' }));
  later.applyPage(page(options.tenantId, formatHlc({ ms: Date.now() + 4 * 60_000, counter: 0, node: 'server' }), '9'));
  const lostMutationIds = outboxRows(later).filter((row) => !copyOutbox.some((kept) => kept.mutationId === row.mutationId)).map((row) => row.mutationId);
  const lastIssued = later.clock.current();
  closeStore(later);

  putBack(copy, options.path);
  return { options, copyOutbox, lostMutationIds, lastIssued, ids: { acked: acked.id, unsent: unsent.id, refused: refused.id, lost: lost.id } };
}

describe('a store put back from an older copy', () => {
  it('is refused at open as STORE_MISMATCH/restored, with the store, its side files and its watermark left byte for byte', () => {
    const { options } = restoredScene();
    const before = storeFileBytes(options.path);
    const error = openError(() => OrgStore.open(options));
    expect(error).toBeInstanceOf(StoreOpenError);
    expect(error).toMatchObject({ code: 'STORE_MISMATCH', reason: 'restored' });
    expect(sameStoreFileBytes(options.path, before)).toBe(true);
    expect(existsSync(`${options.path}-wal`)).toBe(false);
  });

  it('tells the desk what happens next, naming no key, path, org or data', () => {
    const { options } = restoredScene();
    const message = (openError(() => OrgStore.open(options)) as Error).message;
    expect(message).toMatch(/older than the one this workstation last used/);
    expect(message).toMatch(/brought up to date from the server/);
    expect(message).toMatch(/not sent yet are kept/);
    for (const secret of [options.key.toString('hex'), options.key.toString('base64'), options.path, options.tenantId, 'Unsent', 'R-2']) {
      expect(message).not.toContain(secret);
    }
  });

  it('recovers with openRestoredCopy: every outbox entry of the copy kept, every cursor reset, the clock moved past the last value issued', () => {
    const { options, copyOutbox, lastIssued, ids } = restoredScene();
    const { store, recovery } = OrgStore.openRestoredCopy(options);
    open.push(store);

    // Behind by the three writes it missed: an edit, a create, a pulled page.
    expect(recovery).toEqual({ generationsBehind: 3, outboxKept: 2, pendingKept: 1, rejectedKept: 1, cursorsReset: 1, clockAdvanced: true });
    expect(outboxRows(store)).toEqual(copyOutbox);
    expect(store.pendingBatch(10).map((m) => m.id)).toEqual([ids.unsent]);
    expect(store.rejected().map((r) => r.entityId)).toEqual([ids.refused]);
    expect(store.cursor('master_data')).toBe('0'); // the next pull starts from the beginning
    expect(store.openReport).toMatchObject({ watermark: 'verified', recovery });

    // The copy's own clock was behind what the device had already issued; the next edit sorts after it.
    expect(store.clock.current() >= lastIssued).toBe(true);
    store.patients.update(ids.acked, { phone: '+1 555-0188' });
    const newEdit = store.pendingBatch(10).at(-1)!;
    expect(newEdit.hlc > lastIssued).toBe(true);
  });

  it('gives new edits on the copy fresh random mutation ids, never one the lost writes used (the outbox seq repeats; the id does not)', () => {
    const { options, lostMutationIds } = restoredScene();
    expect(lostMutationIds).toHaveLength(2);
    const { store } = OrgStore.openRestoredCopy(options);
    open.push(store);
    // The same two writes again, on the copy: SQLite hands out the same outbox seq numbers…
    const acked = store.listPatients({ search: 'Acked' })[0]!;
    store.patients.update(acked.id, { phone: '+1 555-0177' });
    store.patients.create(samplePatient({ familyName: 'Lostwrite', mrn: 'R-4' }));
    const redone = outboxRows(store).slice(-2);
    expect(redone.map((row) => row.seq)).toEqual([4, 5]);
    // …but a mutation id is a random UUIDv7, which the server claims once per org, so these
    // are new changes and not replays it would answer 'duplicate' and drop.
    for (const row of redone) expect(lostMutationIds).not.toContain(row.mutationId);
  });

  it('opens cleanly the next time, with the watermark rewritten and the generation above the old watermark', () => {
    const { options } = restoredScene();
    const oldWatermark = verifiedWatermark(options);
    if (oldWatermark.state !== 'verified') throw new Error('the scene should leave a verified watermark');
    closeStore(open[open.push(OrgStore.openRestoredCopy(options).store) - 1]!);

    const again = openStore(options);
    expect(again.openReport).toMatchObject({ watermark: 'verified', watermarkProblem: null, recovery: null, created: false });
    expect(readWriteGeneration(again.db)).toBeGreaterThan(oldWatermark.generation);
    const rewritten = verifiedWatermark(options);
    expect(rewritten).toMatchObject({ state: 'verified', generation: readWriteGeneration(again.db) });
  });

  it('can be run again safely: a second recovery finds nothing behind and still keeps every outbox entry', () => {
    const { options, copyOutbox } = restoredScene();
    const first = OrgStore.openRestoredCopy(options);
    first.store.close();
    const second = OrgStore.openRestoredCopy(options);
    open.push(second.store);
    expect(second.recovery).toMatchObject({ generationsBehind: 0, outboxKept: 2, cursorsReset: 0, clockAdvanced: false });
    expect(outboxRows(second.store)).toEqual(copyOutbox);
  });

  it('still refuses a wrong key on the recovery path, without touching the file', () => {
    const { options } = restoredScene();
    const before = storeFileBytes(options.path);
    expect(openError(() => OrgStore.openRestoredCopy({ ...options, key: randomBytes(32) }))).toMatchObject({ reason: 'wrong_key' });
    expect(sameStoreFileBytes(options.path, before)).toBe(true);
  });
});

describe('the watermark beside the store', () => {
  it('follows every committed write once its transaction returns, and only then', async () => {
    const options = newStoreOptions();
    const store = openStore(options);
    expect(verifiedWatermark(options)).toMatchObject({ state: 'verified', generation: 0, lastHlc: null });

    const inTransaction: unknown[] = [];
    store.db.transaction(() => {
      store.patients.create(samplePatient());
      store.patients.create(samplePatient({ mrn: 'MRN-0002' }));
      inTransaction.push(verifiedWatermark(options));
    })();
    expect(inTransaction).toEqual([expect.objectContaining({ generation: 0 })]); // never ahead of a commit
    await Promise.resolve();
    expect(verifiedWatermark(options)).toEqual({ state: 'verified', generation: 2, lastHlc: readMeta(store.db, META_CLOCK) });

    // A transaction that rolls back moves neither the store's generation nor the watermark.
    expect(() =>
      store.db.transaction(() => {
        store.patients.create(samplePatient({ mrn: 'MRN-0003' }));
        throw new Error('rolled back');
      })(),
    ).toThrow('rolled back');
    await Promise.resolve();
    expect(readWriteGeneration(store.db)).toBe(2);
    expect(verifiedWatermark(options)).toMatchObject({ generation: 2 });

    // Pulled pages, push acknowledgements and OrgStore.write count as writes too.
    store.applyPage(page(options.tenantId, formatHlc({ ms: Date.now(), counter: 0, node: 'server' })));
    store.settle([], formatHlc({ ms: Date.now(), counter: 1, node: 'server' }));
    store.write((db) => db.prepare("INSERT INTO meta (key, value) VALUES ('probe', 'x')").run());
    await Promise.resolve();
    expect(verifiedWatermark(options)).toMatchObject({ generation: 5 });
  });

  it('records a write made just before close', () => {
    const options = newStoreOptions();
    const store = openStore(options);
    store.patients.create(samplePatient());
    closeStore(store); // no await: close flushes
    expect(verifiedWatermark(options)).toMatchObject({ generation: 1 });
  });

  it('raises no alarm when the process died between the store commit and the watermark write, and catches up', () => {
    const options = newStoreOptions();
    closeStore(openStore(options));
    const child = spawnSync(process.execPath, [CRASH_WORKLOAD, options.path, options.key.toString('hex'), options.tenantId, options.deviceId], { encoding: 'utf8' });
    expect(child.signal).toBe('SIGKILL');
    expect(verifiedWatermark(options)).toMatchObject({ generation: 0 }); // the crash really left it behind

    const store = openStore(options);
    expect(store.openReport).toMatchObject({ watermark: 'verified', watermarkProblem: null, recovery: null });
    expect(store.listPatients({ search: 'Crashwrite' })).toHaveLength(1); // the commit survived
    expect(verifiedWatermark(options)).toMatchObject({ generation: 1 });
  });

  it('a missing watermark (first open after an upgrade, or deleted) raises no alarm and is written again', () => {
    const options = newStoreOptions();
    const store = openStore(options);
    store.patients.create(samplePatient());
    closeStore(store);
    const copy = backUp(options.path);
    const later = openStore(options);
    later.patients.create(samplePatient({ mrn: 'MRN-0002' }));
    closeStore(later);
    putBack(copy, options.path);
    rmSync(watermarkPath(options.path));

    const reopened = openStore(options);
    expect(reopened.openReport).toMatchObject({ watermark: 'missing', watermarkProblem: null });
    expect(verifiedWatermark(options)).toMatchObject({ generation: 1 });
  });

  it('an edited watermark (a higher generation without the key) raises no false alarm, is reported as unverifiable and replaced', () => {
    const options = newStoreOptions();
    const store = openStore(options);
    store.patients.create(samplePatient());
    closeStore(store);
    const path = watermarkPath(options.path);
    const edited = JSON.parse(readFileSync(path, 'utf8')) as { generation: number };
    edited.generation += 1000;
    writeFileSync(path, JSON.stringify(edited));

    const reopened = openStore(options);
    expect(reopened.openReport).toMatchObject({ watermark: 'unverifiable', watermarkProblem: 'bad_mac', recovery: null });
    expect(verifiedWatermark(options)).toMatchObject({ state: 'verified', generation: 1 });
  });

  it('a garbled watermark is reported as malformed, never as a restored store', () => {
    const options = newStoreOptions();
    closeStore(openStore(options));
    writeFileSync(watermarkPath(options.path), '{"format": "clinicsync-store-watermark", "generation": 9');
    expect(openStore(options).openReport).toMatchObject({ watermark: 'unverifiable', watermarkProblem: 'malformed' });
  });

  it("rejects another org's watermark, and this org's watermark from another device (another key)", () => {
    const a = newStoreOptions('a');
    const b = newStoreOptions('b');
    const storeB = openStore(b);
    for (let i = 0; i < 5; i++) storeB.patients.create(samplePatient({ mrn: `B-${i}` }));
    closeStore(storeB);
    closeStore(openStore(a));
    copyFileSync(watermarkPath(b.path), watermarkPath(a.path)); // generation 5 > a's 0, but not a's
    expect(openStore(a).openReport).toMatchObject({ watermark: 'unverifiable', watermarkProblem: 'other_org' });
    closeStore(open.at(-1)!);

    // Same org id, other key (the store of this org on another device): the MAC fails.
    const otherDevice = { ...a, path: join(dir!.path, 'stores', 'a-other-device.db'), key: randomBytes(32) };
    const storeOther = openStore(otherDevice);
    for (let i = 0; i < 5; i++) storeOther.patients.create(samplePatient({ mrn: `O-${i}` }));
    closeStore(storeOther);
    copyFileSync(watermarkPath(otherDevice.path), watermarkPath(a.path));
    expect(openStore(a).openReport).toMatchObject({ watermark: 'unverifiable', watermarkProblem: 'bad_mac' });
  });

  it('a new store beside a watermark left from an earlier store of the org (wiped, discarded as damaged) raises no alarm', () => {
    const options = newStoreOptions();
    const store = openStore(options);
    for (let i = 0; i < 3; i++) store.patients.create(samplePatient({ mrn: `W-${i}` }));
    closeStore(store);
    rmSync(options.path);
    const fresh = openStore(options);
    expect(fresh.openReport).toMatchObject({ created: true, recovery: null });
    expect(verifiedWatermark(options)).toMatchObject({ generation: 0 });
  });

  it('never blocks a save when it cannot be written: the write commits, the store says the watermark lags, and it catches up', async () => {
    const options = newStoreOptions();
    closeStore(openStore(options));
    const path = watermarkPath(options.path);
    rmSync(path);
    mkdirSync(path); // something in the way: the rename over it fails
    const store = openStore(options);
    expect(store.openReport).toMatchObject({ watermark: 'unverifiable', watermarkProblem: 'unreadable' });
    expect(store.watermarkWriteFailed()).toBe(true);
    store.patients.create(samplePatient());
    await Promise.resolve();
    expect(store.listPatients()).toHaveLength(1);
    expect(store.watermarkWriteFailed()).toBe(true);

    rmSync(path, { recursive: true });
    store.patients.create(samplePatient({ mrn: 'MRN-0002' }));
    await Promise.resolve();
    expect(store.watermarkWriteFailed()).toBe(false);
    expect(verifiedWatermark(options)).toMatchObject({ generation: 2 });
  });

  it('holds no key material: not the store key, not the MAC key', () => {
    const options = newStoreOptions();
    const store = openStore(options);
    store.patients.create(samplePatient());
    closeStore(store);
    const text = readFileSync(watermarkPath(options.path), 'utf8');
    const macKey = watermarkMacKey(options.key);
    for (const key of [options.key, macKey]) {
      for (const encoding of ['hex', 'base64', 'base64url'] as const) expect(text).not.toContain(key.toString(encoding));
    }
    expect(text).not.toContain('Testperson');
  });
});
