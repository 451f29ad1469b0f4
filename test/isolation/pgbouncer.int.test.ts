import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Domain } from '../../shared/domains.ts';
import { uuidv7 } from '../../shared/ids.ts';
import type { DatabaseSet } from '../../sync-server/db/domain-db.ts';
import { openDatabases } from '../../sync-server/db/open-databases.ts';
import { dropPostgresDeployment } from '../../sync-server/db/postgres-admin.ts';
import { postgresRoles } from '../../sync-server/db/postgres-driver.ts';
import { connectionUrl, databaseName } from '../../sync-server/db/postgres-urls.ts';
import { AuditEvents } from '../../sync-server/domains/audit/audit-events.ts';
import { createPushedPatients } from '../../sync-server/domains/master_data/patient-push-at-once.ts';
import { PatientService } from '../../sync-server/domains/master_data/patients.ts';
import { newPatientMutation } from '../../sync-server/testing/harness.ts';
import { TenantDirectory } from '../../sync-server/domains/tenant_info/tenants.ts';
import { requirePgBouncer, startPgBouncer, type RunningPgBouncer } from '../support/pgbouncer.ts';
import { requirePostgres, testPostgresUrl } from '../support/postgres.ts';

const postgresHere = await requirePostgres('test/isolation/pgbouncer (PostgreSQL)');
const pgbouncerHere = requirePgBouncer('test/isolation/pgbouncer (PgBouncer transaction mode)');

const REQUESTS = 4_000;
/** Requests in flight at once: far more than the pooler's server connections. */
const CONCURRENCY = 24;
/** Server connections per (database, role) in the pooler; the app keeps 6 client connections per domain. */
const POOLER_SERVER_CONNECTIONS = 2;

/** The tenant tables each request reads and writes (bookkeeping tables whose shape is stable). */
const TABLES = {
  tenant_info: 'tenant_info.tenants',
  master_data: 'master_data.applied_mutations',
  scheduling: 'scheduling.applied_mutations',
} as const satisfies Partial<Record<Domain, string>>;
type LoadDomain = keyof typeof TABLES;
const LOAD_DOMAINS = Object.keys(TABLES) as LoadDomain[];

interface Org {
  id: string;
  code: string;
}

describe.skipIf(!postgresHere || !pgbouncerHere)('tenant context through PgBouncer in transaction mode (PostgreSQL)', () => {
  const adminUrl = testPostgresUrl();
  const prefix = `cs_t${randomBytes(5).toString('hex')}`;
  const roles = postgresRoles(prefix);
  let bouncer: RunningPgBouncer;
  let dbs: DatabaseSet;
  /** Connections as the app role through the pooler that never set a tenant (the "next user" of a server connection). */
  const bare = new Map<Domain, pg.Pool>();
  const orgs: Org[] = [];

  beforeAll(async () => {
    const upstream = new URL(adminUrl);
    bouncer = await startPgBouncer({
      upstream: { host: upstream.hostname || '127.0.0.1', port: Number(upstream.port || 5432) },
      users: [roles.app, roles.system],
      poolSize: POOLER_SERVER_CONNECTIONS,
    });
    const poolerUrl = bouncer.urlFor(adminUrl);
    dbs = await openDatabases({ kind: 'postgres', adminUrl, databasePrefix: prefix, poolSize: 6, poolerUrl }, () => undefined);
    const tenants = new TenantDirectory(dbs.domains.tenant_info);
    for (const code of ['pool-a', 'pool-b']) orgs.push({ id: (await tenants.create({ code, name: `Pooler org ${code}`, kind: 'human' })).id, code });
    for (const domain of [...LOAD_DOMAINS, 'clinical', 'audit'] as const) {
      const pool = new pg.Pool({ connectionString: connectionUrl(poolerUrl, databaseName(prefix, domain), roles.app), max: 3 });
      pool.on('error', () => undefined);
      bare.set(domain, pool);
    }
  });

  afterAll(async () => {
    await Promise.all([...bare.values()].map((pool) => pool.end()));
    await dbs?.close();
    await bouncer?.stop();
    await dropPostgresDeployment(adminUrl, prefix);
  });

  /** One transaction as the app role WITHOUT setting a tenant: what context did it inherit? */
  async function bareTransaction(domain: Domain, table: string): Promise<{ setting: string; rows: number; pid: number }> {
    const client = await bare.get(domain)!.connect();
    try {
      await client.query('BEGIN');
      const [probe] = (
        await client.query<{ setting: string; pid: number }>(
          "SELECT coalesce(current_setting('app.tenant_id', true), '') AS setting, pg_backend_pid() AS pid",
        )
      ).rows;
      const [count] = (await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`)).rows;
      await client.query('COMMIT');
      return { setting: probe!.setting, rows: count!.n, pid: probe!.pid };
    } finally {
      client.release();
    }
  }

  it('control: a SESSION-level setting would leak to the next transaction on the same server connection, and the probe sees it', async () => {
    // Proves the probe below can fail: this is the bug that transaction-local settings prevent.
    const leaker = new pg.Client({ connectionString: connectionUrl(bouncer.urlFor(adminUrl), databaseName(prefix, 'clinical'), roles.app) });
    await leaker.connect();
    try {
      await leaker.query('BEGIN');
      await leaker.query("SELECT set_config('app.tenant_id', $1, false)", [orgs[0]!.id]);
      await leaker.query('COMMIT');
      const seen = await bareTransaction('clinical', 'pg_catalog.pg_class WHERE false');
      expect(seen.setting).toBe(orgs[0]!.id);
      await leaker.query("SELECT set_config('app.tenant_id', '', false)"); // clean the server connection again
    } finally {
      await leaker.end();
    }
  });

  it(`runs ${REQUESTS} interleaved requests of two orgs through the pooler: zero rows of the other org, no context left over`, async () => {
    const foreignRows: string[] = [];
    const wrongSetting: string[] = [];
    const leftOver: string[] = [];
    const acceptedForeignWrites: string[] = [];
    const written = new Map<string, number>(orgs.map((org) => [org.id, 0]));
    /** Which orgs (and bare probes) each PostgreSQL backend served: shows connections really were shared. */
    const backends = new Map<number, Set<string>>();
    const served = (pid: number, who: string) => backends.set(pid, (backends.get(pid) ?? new Set()).add(who));
    const counts = { tenant: 0, entry: 0, audit: 0, push: 0, bare: 0, refusedForeignWrite: 0 };
    // New patients pushed in one statement that sets the org itself (master_data.create_pushed_patients).
    const pushed = new Map<string, number>(orgs.map((org) => [org.id, 0]));
    const lastPushed = new Map<string, string>();
    const patients = new PatientService(dbs.domains.master_data);
    // Two audit services on one deployment, as two server processes: each appends in one
    // statement that sets the org itself (audit.append_chained) while it knows the org's
    // head, and falls back to a tenant transaction when the other one moved it.
    const audits = [new AuditEvents(dbs.domains.audit), new AuditEvents(dbs.domains.audit)];
    const audited = new Map<string, number>(orgs.map((org) => [org.id, 0]));
    const deviceId = uuidv7();

    const request = async (i: number): Promise<void> => {
      const org = orgs[(i * 7 + (i >> 3)) % 2]!; // interleaved, not strictly alternating
      const other = orgs.find((o) => o !== org)!;
      const domain = LOAD_DOMAINS[i % LOAD_DOMAINS.length]!;
      const table = TABLES[domain];
      if (i % 5 === 4) {
        counts.bare++;
        // Every other probe in the audit database, where appends set the org inside a function.
        const [probed, probedTable] = i % 10 === 9 ? (['audit', 'audit.events'] as const) : [domain, table];
        const seen = await bareTransaction(probed, probedTable);
        served(seen.pid, 'bare');
        if (seen.setting !== '' || seen.rows !== 0) leftOver.push(`#${i} ${probed}: setting=${seen.setting || '(empty)'} rows=${seen.rows}`);
        return;
      }
      if (i % 13 === 6) {
        counts.audit++;
        await audits[i % 2]!.record({ tenantId: org.id, actor: null, action: 'test:pooled-append', kind: 'job', entity: null, ids: [], outcome: 'ok', errorCode: null, detail: { i }, occurredAt: new Date() });
        audited.set(org.id, audited.get(org.id)! + 1);
        return;
      }
      if (domain === 'master_data' && i % 4 === 2) {
        counts.push++;
        const patient = newPatientMutation(`P-${i}`, 'pool');
        expect(await createPushedPatients(dbs.domains.master_data, org.id, deviceId, [patient])).toBe(true);
        written.set(org.id, written.get(org.id)! + 1); // its ledger row
        pushed.set(org.id, pushed.get(org.id)! + 1);
        // The one-statement link check (as scheduling asks it) answers this org's patient, never the other org's last one.
        const theirs = lastPushed.get(other.id);
        const linked = await patients.linkedIds(org.id, theirs ? [patient.id, theirs] : [patient.id]);
        if (linked.size !== 1 || !linked.has(patient.id)) foreignRows.push(`#${i} ${org.code} linked ${[...linked].join(',')}`);
        lastPushed.set(org.id, patient.id);
        return;
      }
      if (domain !== 'tenant_info' && i % 11 === 3) {
        // WITH CHECK: writing a row that names the other org must be refused.
        try {
          await dbs.domains[domain].withTenant(org.id, (sql) =>
            sql.execute(`INSERT INTO ${table} (tenant_id, mutation_id, entity, entity_id, device_id) VALUES ($1, $2, 'probe', $3, $4)`, [other.id, uuidv7(), uuidv7(), deviceId]),
          );
          acceptedForeignWrites.push(`#${i} ${org.code} wrote a row of ${other.code} in ${domain}`);
        } catch (error) {
          expect((error as { code?: string }).code).toBe('42501'); // new row violates row-level security policy
          counts.refusedForeignWrite++;
        }
        return;
      }
      if (domain === 'tenant_info' && Math.floor(i / LOAD_DOMAINS.length) % 2 === 1) {
        // Request entry's one statement outside a transaction block (appStatement): the function sets the org for that statement only.
        counts.entry++;
        const rows = await dbs.domains.tenant_info.appStatement<{ id: string; setting: string; pid: number }>(
          org.id,
          "SELECT (e.tenant).id::text AS id, current_setting('app.tenant_id', true) AS setting, pg_backend_pid() AS pid FROM tenant_info.request_entry($1, NULL) e",
          [org.id],
        );
        for (const row of rows) {
          served(row.pid, org.code);
          if (row.id !== org.id) foreignRows.push(`#${i} ${org.code} entered as ${row.id}`);
          if (row.setting !== org.id) wrongSetting.push(`#${i} ${org.code} entry ran with ${row.setting}`);
        }
        if (rows.length !== 1) foreignRows.push(`#${i} ${org.code} entry saw ${rows.length} tenant rows`);
        return;
      }
      counts.tenant++;
      await dbs.domains[domain].withTenant(org.id, async (sql) => {
        const [ctx] = await sql.query<{ setting: string; pid: number }>("SELECT current_setting('app.tenant_id', true) AS setting, pg_backend_pid() AS pid");
        served(ctx!.pid, org.code);
        if (ctx!.setting !== org.id) wrongSetting.push(`#${i} ${org.code} ran with ${ctx!.setting}`);
        if (domain === 'tenant_info') {
          const ids = await sql.query<{ id: string }>(`SELECT id::text AS id FROM ${table}`);
          for (const row of ids) if (row.id !== org.id) foreignRows.push(`#${i} ${org.code} saw tenant row ${row.id}`);
          if (ids.length !== 1) foreignRows.push(`#${i} ${org.code} saw ${ids.length} tenant rows`);
          return;
        }
        await sql.execute(`INSERT INTO ${table} (tenant_id, mutation_id, entity, entity_id, device_id) VALUES ($1, $2, 'probe', $3, $4)`, [org.id, uuidv7(), uuidv7(), deviceId]);
        written.set(org.id, written.get(org.id)! + 1);
        const rows = await sql.query<{ tenant_id: string; n: number }>(`SELECT tenant_id::text AS tenant_id, count(*)::int AS n FROM ${table} GROUP BY 1`);
        for (const row of rows) if (row.tenant_id !== org.id) foreignRows.push(`#${i} ${org.code} saw ${row.n} rows of ${row.tenant_id} in ${table}`);
      });
    };

    const started = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < REQUESTS) await request(next++);
      }),
    );
    const ms = Math.round(performance.now() - started);

    const shared = [...backends.values()].filter((who) => who.has('pool-a') && who.has('pool-b') && who.has('bare')).length;
    console.info(
      `PgBouncer (transaction mode, ${POOLER_SERVER_CONNECTIONS} server connections per database): ${REQUESTS} requests ` +
        `(${counts.tenant} tenant transactions, ${counts.entry} one-statement entries, ${counts.audit} audit appends, ${counts.push} one-statement pushes, ${counts.bare} context-free probes, ${counts.refusedForeignWrite} refused cross-org writes) ` +
        `from ${CONCURRENCY} concurrent lanes over ${backends.size} PostgreSQL backends (${shared} served both orgs and probes) in ${ms} ms`,
    );

    expect(foreignRows).toEqual([]);
    expect(wrongSetting).toEqual([]);
    expect(leftOver).toEqual([]);
    expect(acceptedForeignWrites).toEqual([]);
    expect(counts.entry).toBeGreaterThan(0);
    expect(counts.audit).toBeGreaterThan(0);
    expect(counts.push).toBeGreaterThan(0);
    // The load really went through shared server connections: few backends, each serving both orgs.
    expect(backends.size).toBeLessThanOrEqual((LOAD_DOMAINS.length + 1) * POOLER_SERVER_CONNECTIONS); // + the audit database's probes
    expect(shared).toBeGreaterThan(0);
    expect(counts.refusedForeignWrite).toBeGreaterThan(0);

    // Every row each org wrote is there, under its own tenant_id, and nothing else.
    for (const org of orgs) {
      let total = 0;
      for (const domain of ['master_data', 'scheduling'] as const) {
        const [row] = await dbs.domains[domain].withTenant(org.id, (sql) => sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${TABLES[domain]}`));
        total += row!.n;
      }
      expect(total, org.code).toBe(written.get(org.id));
      // Each org's pushed patients are linked to it, and only they.
      const [links] = await dbs.domains.master_data.withTenant(org.id, (sql) => sql.query<{ n: number }>('SELECT count(*)::int AS n FROM master_data.tenant_patients'));
      expect(links!.n, `${org.code} links`).toBe(pushed.get(org.id));
      // Each org's audit chain holds exactly its own appends, whole.
      expect(await audits[0]!.verify(org.id), `${org.code} audit chain`).toEqual({ ok: true, entries: audited.get(org.id), problems: [], truncated: false });
    }
  }, 180_000);
});
