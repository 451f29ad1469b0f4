import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import Database from 'better-sqlite3-multiple-ciphers';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { uuidv7 } from '../../shared/ids.ts';
import type { PullPage } from '../../shared/sync/pull.ts';
import { storeOnlyCaller } from '../../electron/test-support/local-api-caller.ts';
import { tempDir } from '../../electron/test-support/temp-dir.ts';
import { META_TENANT_ID, writeMeta } from '../../electron/store/meta.ts';
import { MIGRATIONS, migrate } from '../../electron/store/migrations.ts';
import { applyKey, configure } from '../../electron/store/open-store.ts';
import { OrgStore } from '../../electron/store/org-store.ts';
import { STAFF_USER_LINK_SQL } from '../../electron/store/schema/staff-user-link.ts';
import { orgWithUsers, type RoleOrg } from '../../sync-server/api/routers/test-support/domain-orgs.ts';
import { testEngines } from '../../sync-server/testing/engines.ts';
import { startTestServer, type TestDevice, type TestServer } from '../../sync-server/testing/harness.ts';
import { requirePostgres, testPostgresUrl } from '../support/postgres.ts';

const engines = testEngines(await requirePostgres('test/sync staff link to the desk (PostgreSQL)'), testPostgresUrl());

/**
 * A staff record's linked account travels to the desk in the personnel feed and lands in
 * the real SQLCipher store, where My day's practitioner list marks the signed-in user's own
 * record and note authors read as names. A store made before the link (schema step 6) is
 * upgraded and re-pulls personnel, so a link its old app could not keep still arrives.
 */
const USERS = { admin: 'org_admin', doctor: 'clinician', desk: 'front_desk' } as const;

async function pullInto(store: OrgStore, device: TestDevice): Promise<void> {
  for (;;) {
    const page = (await device.pull('personnel', store.cursor('personnel'))) as PullPage;
    store.applyPage(page);
    if (!page.hasMore) return;
  }
}

for (const engine of engines) {
  describe.skipIf(!engine.available)(`staff link reaches the desk store (${engine.name})`, () => {
    let server: TestServer;
    let org: RoleOrg<keyof typeof USERS>;
    const dirs: ReturnType<typeof tempDir>[] = [];
    const stores: OrgStore[] = [];

    beforeAll(async () => {
      server = await startTestServer(engine);
      org = await orgWithUsers(server, `link-desk-${engine.name}`, USERS);
    });
    afterEach(() => {
      for (const store of stores.splice(0)) if (store.db.open) store.close();
      for (const dir of dirs.splice(0)) dir.remove();
    });
    afterAll(() => server?.stop());

    const storeOptions = () => {
      const dir = tempDir();
      dirs.push(dir);
      return { path: join(dir.path, 'org.db'), key: randomBytes(32), tenantId: org.tenantId, deviceId: uuidv7() };
    };
    const open = (options: ReturnType<typeof storeOptions>) => {
      const store = OrgStore.open(options);
      stores.push(store);
      return store;
    };

    it('links, syncs, names the author, and unlinks again on the desk', async () => {
      const admin = org.client.admin.personnel.staff;
      const ada = await admin.create.mutate({ displayName: 'Dr Ada Lovelace', isPractitioner: true, userId: org.userId.doctor });
      const other = await admin.create.mutate({ displayName: 'Dr Other', isPractitioner: true });
      const store = open(storeOptions());
      await pullInto(store, org.device.doctor);

      const doctor = storeOnlyCaller(store, { role: 'clinician', userId: org.userId.doctor });
      const mine = (await doctor.staff.practitioners()).filter((p) => p.linkedToYou);
      expect(mine.map((p) => p.id)).toEqual([ada.id]);
      expect(store.setup.staff().find((s) => s.id === other.id)?.userId).toBeNull();
      // The front desk's own session links to nothing; it reads the author's name, never a note (clinicalViews tests).
      const desk = storeOnlyCaller(store, { role: 'front_desk', userId: org.userId.desk });
      expect((await desk.staff.practitioners()).some((p) => p.linkedToYou)).toBe(false);
      expect(await desk.staff.authorNames({ userIds: [org.userId.doctor, org.userId.desk] })).toEqual([{ userId: org.userId.doctor, displayName: 'Dr Ada Lovelace' }]);

      await admin.update.mutate({ id: ada.id, userId: null });
      await admin.update.mutate({ id: other.id, userId: org.userId.doctor });
      await pullInto(store, org.device.doctor);
      expect((await doctor.staff.practitioners()).filter((p) => p.linkedToYou).map((p) => p.id)).toEqual([other.id]);
      expect(await doctor.staff.authorNames({ userIds: [org.userId.doctor] })).toEqual([{ userId: org.userId.doctor, displayName: 'Dr Other' }]);
      await admin.update.mutate({ id: other.id, userId: null });
      await pullInto(store, org.device.doctor);
      expect(await doctor.staff.authorNames({ userIds: [org.userId.doctor] })).toEqual([]);
    });

    it('a store from before the link is upgraded and re-pulls personnel, so an existing link arrives', async () => {
      const before = MIGRATIONS.indexOf(STAFF_USER_LINK_SQL);
      const staff = await org.client.admin.personnel.staff.create.mutate({ displayName: 'Dr Early Link', isPractitioner: true, userId: org.userId.admin });
      const page = (await org.device.admin.pullAll('personnel')) as { changes: PullPage['changes']; cursor: string };

      // What the previous app kept: the staff row without the link, and the cursor past it.
      const options = storeOptions();
      const raw = new Database(options.path);
      applyKey(raw, options.key);
      configure(raw);
      migrate(raw, { target: before });
      writeMeta(raw, META_TENANT_ID, options.tenantId);
      raw.prepare('INSERT INTO staff_members (id, display_name, job_title, job_roles, is_practitioner, npi, active, version, field_hlc) VALUES (?, ?, ?, ?, 1, NULL, 1, 1, ?)').run(staff.id, 'Dr Early Link', '', '[]', '{}');
      raw.prepare("INSERT INTO sync_cursors (domain, cursor, updated_at) VALUES ('personnel', ?, ?)").run(page.cursor, new Date().toISOString());
      raw.close();
      // From that cursor the server has nothing new: without the reset the link would never come.
      expect((await org.device.admin.pull('personnel', page.cursor)).changes).toEqual([]);

      const store = open(options);
      expect(store.openReport.schema).toEqual({ from: before, to: MIGRATIONS.length });
      expect(store.setup.staff().find((s) => s.id === staff.id)).toMatchObject({ displayName: 'Dr Early Link', userId: null });
      expect(store.cursor('personnel')).toBe('0');
      await pullInto(store, org.device.admin);
      expect(store.setup.staff().find((s) => s.id === staff.id)?.userId).toBe(org.userId.admin);
      expect(store.cursor('personnel')).toBe(page.cursor);
    });
  });
}
