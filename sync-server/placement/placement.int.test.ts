import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requirePostgres, testPostgresUrl } from '../../test/support/postgres.ts';
import { uuidv7 } from '../../shared/ids.ts';
import type { Change } from '../../shared/sync/pull.ts';
import type { AuditEntry } from '../audit/audit-trail.ts';
import type { PhysicalDatabases } from '../db/domain-db.ts';
import { AuditEvents } from '../domains/audit/audit-events.ts';
import { openDatabases } from '../db/open-databases.ts';
import { silentLogger } from '../log.ts';
import { startSyncServer, type SyncServerHandle } from '../server.ts';
import { checkCatalog } from '../testing/catalog-rules.ts';
import { freshDatabase, testEngines, type TestDatabase } from '../testing/engines.ts';
import { appCodeOf, appointmentFields, closeClientSockets, signedIn, type TestDevice } from '../testing/harness.ts';
import { PLACED_DOMAINS } from './placed-domains.ts';
import { dedicatedTarget } from './placement-target.ts';
import { tallyTable } from './tenant-copy.ts';
import { tenantTablesOf } from './tenant-tables.ts';

const engines = testEngines(await requirePostgres('sync-server/placement (PostgreSQL)'), testPostgresUrl());

/** Rows of the org in every table of the placed domains, from the catalog: "domain.table" → count. */
async function orgRows(dbs: PhysicalDatabases, tenantId: string): Promise<Record<string, number>> {
  const rows: Record<string, number> = {};
  for (const domain of PLACED_DOMAINS) {
    for (const table of await tenantTablesOf(dbs, domain)) rows[`${domain}.${table.table}`] = (await tallyTable(dbs, table, tenantId)).rows;
  }
  return rows;
}

const total = (rows: Record<string, number>) => Object.values(rows).reduce((sum, n) => sum + n, 0);
const withoutAudit = (rows: Record<string, number>) => Object.fromEntries(Object.entries(rows).filter(([name]) => !name.startsWith('audit.')));
const byId = (changes: readonly Change[]) => new Map(changes.map((c) => [c.id, c]));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Retries a call the way a workstation's sync loop does when the server says "try again shortly". */
async function retrying<T>(call: () => Promise<T>, onRetry: () => void): Promise<T> {
  for (;;) {
    const attempt = call();
    const code = await appCodeOf(attempt);
    if (code === undefined) return attempt;
    if (code !== 'RATE_LIMITED') throw new Error(`unexpected ${code}`);
    onRetry();
    await sleep(20);
  }
}

for (const engine of engines) {
  describe.skipIf(!engine.available)(`dedicated placement (${engine.name})`, () => {
    let db: TestDatabase;
    let server: SyncServerHandle;
    let north: { tenantId: string; device: TestDevice; reader: TestDevice };
    let lake: { tenantId: string; device: TestDevice };
    let patientId: string;

    beforeAll(async () => {
      db = await freshDatabase(engine);
      server = await startSyncServer({ port: 0, database: db.options, seedDemo: true });
      const [northOrg, lakeOrg] = server.demo!.orgs;
      const password = (org: typeof northOrg) => org!.users[0]!.password;
      north = {
        tenantId: northOrg!.tenantId,
        device: (await signedIn(server, { code: 'northside', username: 'frontdesk', password: password(northOrg) })).device,
        reader: (await signedIn(server, { code: 'northside', username: 'frontdesk', password: password(northOrg) })).device,
      };
      lake = { tenantId: lakeOrg!.tenantId, device: (await signedIn(server, { code: 'lakeview', username: 'frontdesk', password: password(lakeOrg) })).device };
      patientId = (await north.device.pullAll('master_data')).changes[0]!.id;
    });
    afterAll(async () => {
      await closeClientSockets();
      await server?.close();
      await db?.drop();
    });

    it("moves an org's own domains to dedicated databases while its workstations keep pushing and pulling", async () => {
      const sharedBefore = await orgRows(server.databases, north.tenantId);
      const lakeRowsBefore = withoutAudit(await orgRows(server.databases, lake.tenantId));
      const lakeFeedBefore = await lake.device.pullAll('scheduling');
      expect(sharedBefore['scheduling.appointments']).toBe(200);
      let cursor = '0';

      // A workstation pushing: new appointments and edits of earlier ones; every acknowledged edit is remembered.
      const acknowledged = new Map<string, string>();
      const pushStarts: number[] = [];
      let retries = 0;
      let stop = false;
      const writer = (async () => {
        for (let i = 0; !stop; i++) {
          const known = [...acknowledged.keys()];
          const id = i % 3 === 0 || known.length === 0 ? uuidv7() : known[i % known.length]!;
          const reason = `Visit ${i}`;
          const mutation = north.device.mutation('appointment', id, acknowledged.has(id) ? { reason } : appointmentFields(patientId, { reason }));
          pushStarts.push(Date.now());
          const result = await retrying(() => north.device.push(mutation), () => retries++);
          expect(result.results[0]).toMatchObject({ status: expect.stringMatching(/^(applied|duplicate)$/) });
          acknowledged.set(id, reason);
        }
      })();
      // Another workstation pulling incrementally from its stored cursor the whole time.
      const pulled: Change[] = [];
      const drain = async () => {
        for (;;) {
          const page = await retrying(() => north.reader.pull('scheduling', cursor, 50), () => retries++);
          pulled.push(...page.changes);
          cursor = page.cursor;
          if (!page.hasMore) return;
        }
      };
      const reader = (async () => {
        while (!stop) {
          await drain();
          await sleep(5);
        }
      })();

      while (acknowledged.size < 5) await sleep(10);
      const moveStarted = Date.now();
      const report = await server.admin.moveTenant({ tenantId: north.tenantId, to: 'dedicated' });
      const moveEnded = Date.now();
      const afterMove = acknowledged.size;
      while (acknowledged.size < afterMove + 5) await sleep(10);
      stop = true;
      await Promise.all([writer, reader]);
      await drain();

      expect(report.moved).toBe(true);
      expect(pushStarts.filter((t) => t >= moveStarted && t <= moveEnded).length, 'pushes sent while the move ran').toBeGreaterThan(0);
      expect(report.tables.map((t) => `${t.domain}.${t.table}`).sort()).toEqual(Object.keys(sharedBefore).sort());
      for (const { domain, table, rows } of report.tables) expect(rows, `${domain}.${table}`).toBeGreaterThanOrEqual(sharedBefore[`${domain}.${table}`]!);
      expect(await server.admin.placementOf(north.tenantId)).toMatchObject({ placement: 'dedicated', state: 'active' });

      // Nothing of the org is left in the shared databases; its dedicated ones hold everything.
      expect(total(await orgRows(server.databases, north.tenantId))).toBe(0);
      const dedicated = await server.databases.placements.dedicatedDatabasesOf(north.tenantId);
      const feed = await north.device.pullAll('scheduling');
      // The scheduling feed also carries set-up and booking conflicts: count its appointments.
      expect((await orgRows(dedicated, north.tenantId))['scheduling.appointments']).toBe(feed.changes.filter((c) => c.entity === 'appointment').length);

      // Every acknowledged write is there, with its last acknowledged value.
      const final = byId(feed.changes);
      for (const [id, reason] of acknowledged) expect(final.get(id)?.fields?.reason, id).toBe(reason);
      // The incremental reader's cursor ran on without a repeat or a step back, and converged on the same state.
      const seqs = pulled.map((c) => BigInt(c.seq));
      for (let i = 1; i < seqs.length; i++) expect(seqs[i]! > seqs[i - 1]!).toBe(true);
      const incremental = byId(pulled);
      for (const [id, change] of final) expect(incremental.get(id)?.version, id).toBe(change.version);

      // The other org is untouched and still served from the shared databases.
      expect(await server.admin.placementOf(lake.tenantId)).toMatchObject({ placement: 'shared' });
      expect(withoutAudit(await orgRows(server.databases, lake.tenantId))).toEqual(lakeRowsBefore);
      expect(await lake.device.pullAll('scheduling')).toEqual(lakeFeedBefore);
      expect(total(await orgRows(dedicated, lake.tenantId))).toBe(0);

      // The audit chain moved whole: it still verifies, in its new place.
      expect(await server.admin.verifyAudit({ tenantId: north.tenantId })).toMatchObject({ ok: true });
      console.log(`[placement ${engine.name}] moved ${report.tables.reduce((n, t) => n + t.rows, 0)} rows; ${acknowledged.size} writes acknowledged; ${retries} retried`);
    });

    it('audit entries of orgs on different placements, batched together, each go to their own database (one statement per database)', async () => {
      const dedicated = await server.databases.placements.dedicatedDatabasesOf(north.tenantId);
      const audit = new AuditEvents(server.databases.domains.audit);
      const entry = (tenantId: string, i: number): AuditEntry => ({ tenantId, actor: null, action: 'test.batch', kind: 'job', entity: null, ids: [], outcome: 'ok', errorCode: null, detail: { i }, occurredAt: new Date() });
      // One entry each first, so this AuditEvents knows the heads: then the orgs' next entries batch across orgs.
      const third = uuidv7();
      for (const org of [third, north.tenantId, lake.tenantId]) await audit.record(entry(org, 0));
      const count = (dbs: PhysicalDatabases, tenantId: string) =>
        dbs.inspect('audit', async (sql) => (await sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM audit.events WHERE tenant_id = $1 AND action = 'test.batch'`, [tenantId]))[0]!.n);
      const before = { northShared: await count(server.databases, north.tenantId), lakeDedicated: await count(dedicated!, lake.tenantId) };
      const auditStatements = (dbs: PhysicalDatabases) => dbs.statementCounts!().find((c) => c.domain === 'audit' && c.pool === 'app')?.statements ?? 0;
      const statementsBefore = { shared: auditStatements(server.databases), dedicated: auditStatements(dedicated!) };
      // Three rounds: the third org's entry goes first, alone; north's and lake's wait for it and go together, split per database.
      for (let i = 1; i <= 3; i++) await Promise.all([third, north.tenantId, lake.tenantId].map((org) => audit.record(entry(org, i))));
      // Per round one statement in north's dedicated database; in the shared one, the third org's and lake's.
      expect({ shared: auditStatements(server.databases) - statementsBefore.shared, dedicated: auditStatements(dedicated!) - statementsBefore.dedicated }).toEqual({ shared: 6, dedicated: 3 });
      expect(await count(dedicated!, north.tenantId)).toBe(4);
      expect(await count(server.databases, lake.tenantId)).toBe(4);
      // Nothing of either landed in the other's place.
      expect({ northShared: await count(server.databases, north.tenantId), lakeDedicated: await count(dedicated!, lake.tenantId) }).toEqual(before);
      expect(before).toEqual({ northShared: 0, lakeDedicated: 0 });
      expect(await server.admin.verifyAudit({ tenantId: north.tenantId })).toMatchObject({ ok: true });
      expect(await server.admin.verifyAudit({ tenantId: lake.tenantId })).toMatchObject({ ok: true });
    });

    it('keeps forced row-level security and the app role limits inside the dedicated databases', async () => {
      const dedicated = await server.databases.placements.dedicatedDatabasesOf(north.tenantId);
      const domains = dedicated.engine === 'pglite' ? [PLACED_DOMAINS[0]] : PLACED_DOMAINS;
      for (const domain of domains) {
        const schemas = dedicated.engine === 'pglite' ? PLACED_DOMAINS : [domain];
        const report = await dedicated.inspect(domain, (sql) =>
          checkCatalog(sql, schemas, { aboveTheOrg: {}, notTenantData: new Set(schemas.map((s) => `${s}.schema_migrations`)) }),
        );
        expect(report.problems, domain).toEqual([]);
        expect(report.tenantTables.length, domain).toBeGreaterThan(0);
      }
      for (const domain of PLACED_DOMAINS) {
        const { app } = dedicated.rolesOf(domain);
        const [flags] = await dedicated.inspect(domain, (sql) =>
          sql.query(
            `SELECT r.rolsuper, r.rolbypassrls, (SELECT count(*)::int FROM pg_class c WHERE c.relowner = r.oid) AS owned FROM pg_roles r WHERE r.rolname = $1`,
            [app],
          ),
        );
        expect(flags, domain).toEqual({ rolsuper: false, rolbypassrls: false, owned: 0 });
      }
      const count = (tenantId: string) =>
        dedicated.domains.scheduling.withTenant(tenantId, (sql) => sql.query<{ n: number }>('SELECT count(*)::int AS n FROM scheduling.appointments'));
      expect((await count(north.tenantId))[0]!.n).toBeGreaterThan(200);
      expect(await count(lake.tenantId)).toEqual([{ n: 0 }]);
      await expect(
        dedicated.domains.scheduling.withTenant(lake.tenantId, (sql) =>
          sql.execute("UPDATE scheduling.appointments SET reason = 'x' WHERE tenant_id = $1", [north.tenantId]),
        ),
      ).resolves.toBe(0);
      await expect(
        dedicated.domains.audit.withTenant(lake.tenantId, (sql) =>
          sql.execute(
            `INSERT INTO audit.chain_heads (tenant_id, seq, hash) VALUES ($1, 0, repeat('0', 64))`,
            [north.tenantId],
          ),
        ),
      ).rejects.toMatchObject({ code: '42501' });
    });

    it('moves the org back to the shared databases with the same rows, and removes its dedicated ones', async () => {
      const feedBefore = await north.device.pullAll('scheduling');
      const dedicated = await server.databases.placements.dedicatedDatabasesOf(north.tenantId);
      const before = await orgRows(dedicated, north.tenantId);
      const report = await server.admin.moveTenant({ tenantId: north.tenantId, to: 'shared' });
      expect(Object.fromEntries(report.tables.map((t) => [`${t.domain}.${t.table}`, t.rows]))).toEqual(before);

      const after = await orgRows(server.databases, north.tenantId);
      expect(withoutAudit(after)).toEqual(withoutAudit(before));
      expect(after['audit.events']).toBe(before['audit.events']! + 1); // the move's own audit entry, written at the new place
      expect(await server.admin.placementOf(north.tenantId)).toMatchObject({ placement: 'shared', state: 'active' });
      if (db.options.kind === 'postgres') {
        const target = dedicatedTarget(db.options, north.tenantId);
        const admin = new pg.Client({ connectionString: db.options.adminUrl });
        await admin.connect();
        const left = await admin.query('SELECT datname FROM pg_database WHERE starts_with(datname, $1)', [`${target.engine === 'postgres' ? target.databasePrefix : ''}_`]);
        await admin.end();
        expect(left.rows).toEqual([]);
      }

      // The feed is the same, and a device's cursor simply continues.
      const feedAfter = await north.device.pullAll('scheduling');
      expect(feedAfter).toEqual(feedBefore);
      const id = uuidv7();
      await north.device.push(north.device.mutation('appointment', id, appointmentFields(patientId)));
      const next = await north.device.pull('scheduling', feedBefore.cursor);
      // Besides the appointment, the feed may carry booking conflicts its overlaps opened.
      expect(next.changes.filter((c) => c.entity === 'appointment').map((c) => c.id)).toEqual([id]);
      expect(next.changes.filter((c) => c.entity !== 'appointment').every((c) => c.entity === 'booking_conflict')).toBe(true);
      expect(BigInt(next.cursor)).toBeGreaterThan(BigInt(feedBefore.cursor));
      expect(await server.admin.verifyAudit({ tenantId: north.tenantId })).toMatchObject({ ok: true });
    });

    it('rolls a failed move back: partial copies removed, the org stays where it was and keeps working', async () => {
      const dedicated = await server.databases.placements.dedicatedDatabasesOf(north.tenantId);
      // A destination table that refuses the copy (scheduling.changes is copied after scheduling.appointments).
      await dedicated.inspect('scheduling', (sql) => sql.exec('ALTER TABLE scheduling.changes ADD CONSTRAINT refuse_copy CHECK (seq < 0) NOT VALID'));
      try {
        const sharedBefore = await orgRows(server.databases, north.tenantId);
        const placementBefore = await server.admin.placementOf(north.tenantId);
        const failure = await server.admin.moveTenant({ tenantId: north.tenantId, to: 'dedicated' }).catch((error: unknown) => error);
        expect(failure).toMatchObject({ code: 'INTERNAL', message: expect.stringMatching(/copy scheduling\.changes.*stays on its shared databases/) });
        expect(String((failure as Error).message)).not.toMatch(/constraint|refuse_copy|violates/i);

        expect(await server.admin.placementOf(north.tenantId)).toMatchObject({ placement: 'shared', state: 'active', version: placementBefore.version + 2 });
        expect(total(await orgRows(dedicated, north.tenantId))).toBe(0);
        const sharedAfter = await orgRows(server.databases, north.tenantId);
        expect(withoutAudit(sharedAfter)).toEqual(withoutAudit(sharedBefore));
        expect(sharedAfter['audit.events']).toBe(sharedBefore['audit.events']! + 1); // the failed move, audited

        const id = uuidv7();
        const pushed = await north.device.push(north.device.mutation('appointment', id, appointmentFields(patientId)));
        expect(pushed.results[0]).toMatchObject({ status: 'applied' });
        expect(byId((await north.device.pullAll('scheduling')).changes).has(id)).toBe(true);
      } finally {
        await dedicated.inspect('scheduling', (sql) => sql.exec('ALTER TABLE scheduling.changes DROP CONSTRAINT refuse_copy'));
      }
    });

    it('settles a move that stopped half-way (its process died) before moving again', async () => {
      const target = dedicatedTarget(db.options, north.tenantId);
      const dedicated = await server.databases.placements.dedicatedDatabasesOf(north.tenantId);
      // What a dead mover leaves: the mark, and a partial copy at the destination.
      await server.databases.inspect('tenant_info', (sql) =>
        sql.execute(`UPDATE tenant_info.placements SET state = 'moving', moving_to = $2::jsonb, version = version + 1 WHERE tenant_id = $1`, [
          north.tenantId,
          JSON.stringify({ placement: 'dedicated', target }),
        ]),
      );
      await dedicated.inspect('scheduling', (sql) =>
        sql.execute(`INSERT INTO scheduling.changes (tenant_id, entity, entity_id, seq) VALUES ($1, 'appointment', $2, 1)`, [north.tenantId, uuidv7()]),
      );
      const shared = await orgRows(server.databases, north.tenantId);
      const report = await server.admin.moveTenant({ tenantId: north.tenantId, to: 'dedicated' });
      expect(Object.fromEntries(report.tables.map((t) => [`${t.domain}.${t.table}`, t.rows]))).toEqual(shared);
      expect(withoutAudit(await orgRows(dedicated, north.tenantId))).toEqual(withoutAudit(shared));
      expect(await server.admin.placementOf(north.tenantId)).toMatchObject({ placement: 'dedicated', state: 'active' });
    });

    it('answers NOT_FOUND for an unknown org and VALIDATION for a target of the wrong kind', async () => {
      await expect(server.admin.moveTenant({ tenantId: uuidv7(), to: 'dedicated' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
      await expect(server.admin.placementOf('not-an-id')).rejects.toMatchObject({ code: 'NOT_FOUND' });
      const wrongKind = engine.name === 'pglite' ? { serverUrl: 'postgres://db2/x' } : { folder: '/tmp/x' };
      await expect(server.admin.moveTenant({ tenantId: lake.tenantId, to: 'dedicated', target: wrongKind })).rejects.toMatchObject({ code: 'VALIDATION' });
      await expect(server.admin.setTier({ tenantId: lake.tenantId, tier: 'namespace', target: { folder: '/tmp/x' } })).rejects.toMatchObject({
        code: 'VALIDATION',
      });
    });

    it.skipIf(engine.name !== 'postgres')('refuses to move while another server process has the deployment open', async () => {
      const other = await openDatabases(db.options, silentLogger);
      try {
        await expect(server.admin.moveTenant({ tenantId: lake.tenantId, to: 'dedicated' })).rejects.toMatchObject({
          code: 'CONFLICT',
          message: expect.stringMatching(/other server processes/i),
        });
        expect(await server.admin.placementOf(lake.tenantId)).toMatchObject({ placement: 'shared', state: 'active' });
      } finally {
        await other.close();
      }
    });
  });
}
