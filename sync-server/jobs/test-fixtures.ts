import { DOMAINS } from '../../shared/domains.ts';
import { HybridClock } from '../../shared/hlc.ts';
import { uuidv7 } from '../../shared/ids.ts';
import type { Mutation } from '../../shared/sync/mutation.ts';
import { PROTOCOL_VERSION } from '../../shared/sync/version.ts';
import type { AuditRecord } from '../audit/audit-read.ts';
import type { DatabaseSet } from '../db/domain-db.ts';
import { ident } from '../db/sql.ts';
import type { LogEvent } from '../log.ts';
import { openServerCore, type ServerCore } from '../server.ts';
import { push } from '../sync/push.ts';
import { freshDatabase, type TestDatabase, type TestEngine } from '../testing/engines.ts';
import { appointmentFields, patientFields } from '../testing/harness.ts';

/**
 * For the jobs and events suites: a real server core (databases, services, poke bus, no
 * HTTP) on a fresh deployment, with every log event kept so tests can check what was logged.
 */
export interface AutomationFixture extends ServerCore {
  database: TestDatabase;
  logs: LogEvent[];
  /** Closes the core and drops its databases. */
  dispose(): Promise<void>;
}

export async function openFixture(engine: TestEngine): Promise<AutomationFixture> {
  const database = await freshDatabase(engine);
  const logs: LogEvent[] = [];
  const core = await openServerCore({ database: database.options, log: (event) => logs.push(event) });
  return Object.assign(core, {
    database,
    logs,
    dispose: async () => {
      await core.close();
      await database.drop();
    },
  });
}

export interface SeededOrg {
  tenantId: string;
  patientId: string;
}

/** An org with one patient, written the way a workstation writes (a sync push). */
export async function seedOrg(fx: ServerCore, code: string): Promise<SeededOrg> {
  const { tenantId } = await fx.admin.createTenant({ code: `${code}-${uuidv7().slice(-6)}`, name: `Test org ${code}` });
  const patientId = uuidv7();
  await pushAs(fx, tenantId, [{ entity: 'patient', id: patientId, fields: patientFields() }]);
  return { tenantId, patientId };
}

/** Booked appointments of the org's patient: `past` ones ended an hour ago, `future` ones are next year. */
export async function addAppointments(fx: ServerCore, org: SeededOrg, counts: { past?: number; future?: number }): Promise<{ past: string[]; future: string[] }> {
  const hour = 60 * 60_000;
  const make = (n: number, start: number) =>
    Array.from({ length: n }, () => ({
      entity: 'appointment' as const,
      id: uuidv7(),
      fields: appointmentFields(org.patientId, { startsAt: new Date(start).toISOString(), endsAt: new Date(start + hour / 2).toISOString() }),
    }));
  const past = make(counts.past ?? 0, Date.now() - 2 * hour);
  const future = make(counts.future ?? 0, Date.now() + 365 * 24 * hour);
  if (past.length + future.length > 0) await pushAs(fx, org.tenantId, [...past, ...future]);
  return { past: past.map((a) => a.id), future: future.map((a) => a.id) };
}

async function pushAs(fx: ServerCore, tenantId: string, items: { entity: Mutation['entity']; id: string; fields: Record<string, unknown> }[]): Promise<void> {
  const deviceId = uuidv7();
  const clock = new HybridClock(`dev-${deviceId.slice(-8)}`);
  const mutations: Mutation[] = items.map((item) => ({ mutationId: uuidv7(), op: 'upsert', hlc: clock.tick(), baseVersion: null, ...item }));
  const { services } = fx;
  const result = await push({ services: services.syncDomains, bus: services.bus, clock: services.clock, log: services.log }, tenantId, {
    protocolVersion: PROTOCOL_VERSION,
    deviceId,
    mutations,
  });
  const refused = result.results.filter((r) => r.status !== 'applied');
  if (refused.length > 0) throw new Error(`seed push refused: ${JSON.stringify(refused)}`);
}

/**
 * Every row of the org in every domain database, owner-level (so row-level security
 * cannot hide a change): each table with a tenant_id, the org's directory row, and the
 * core records of the patients linked to it. Compare before/after to prove "nothing of B changed".
 */
export async function snapshotOrg(databases: DatabaseSet, tenantId: string): Promise<Record<string, string[]>> {
  const snapshot: Record<string, string[]> = {};
  for (const domain of DOMAINS) {
    await databases.inspect(domain, async (sql) => {
      const tables = await sql.query<{ name: string }>(
        `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = $1 AND c.relkind IN ('r', 'p')
           AND EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped)
         ORDER BY 1`,
        [domain],
      );
      for (const { name } of tables) {
        const rows = await sql.query<{ row: string }>(
          `SELECT to_jsonb(t)::text AS row FROM ${ident(domain)}.${ident(name)} t WHERE t.tenant_id = $1 ORDER BY 1`,
          [tenantId],
        );
        snapshot[`${domain}.${name}`] = rows.map((r) => r.row);
      }
    });
  }
  await databases.inspect('tenant_info', async (sql) => {
    snapshot['tenant_info.tenants'] = (await sql.query<{ row: string }>('SELECT to_jsonb(t)::text AS row FROM tenant_info.tenants t WHERE t.id = $1', [tenantId])).map((r) => r.row);
  });
  await databases.inspect('master_data', async (sql) => {
    snapshot['master_data.patients'] = (
      await sql.query<{ row: string }>(
        `SELECT to_jsonb(p)::text AS row FROM master_data.patients p
         WHERE p.id IN (SELECT tp.patient_id FROM master_data.tenant_patients tp WHERE tp.tenant_id = $1) ORDER BY 1`,
        [tenantId],
      )
    ).map((r) => r.row);
  });
  return snapshot;
}

/** The org's audit entries of one kind, oldest first. */
export async function auditOf(fx: ServerCore, tenantId: string, kind: AuditRecord['kind']): Promise<AuditRecord[]> {
  const page = await fx.services.audit.list(tenantId, { kind, limit: 500 });
  return [...page.entries].reverse();
}

export async function waitFor(check: () => Promise<boolean> | boolean, ms = 10_000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
