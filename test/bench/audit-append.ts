import { uuidv7 } from '../../shared/ids.ts';
import type { AuditEntry } from '../../sync-server/audit/audit-trail.ts';
import { openDatabases } from '../../sync-server/db/open-databases.ts';
import { AuditEvents } from '../../sync-server/domains/audit/audit-events.ts';
import { freshDatabase, type TestEngine } from '../../sync-server/testing/engines.ts';
import type { Figure } from './report.ts';

/**
 * The price of "every access is audited": appends to the per-org hash chain, against an
 * empty tenant-scoped transaction on the same database in the same run (the ratio is what
 * survives a noisy machine), then the rate at which `audit verify` re-hashes a chain.
 */
export async function auditAppendBench(engine: TestEngine, entries: number): Promise<Figure[]> {
  const db = await freshDatabase(engine);
  const databases = await openDatabases(db.options, () => undefined);
  try {
    const audit = new AuditEvents(databases.domains.audit);
    const orgs = [uuidv7(), uuidv7()] as const;
    const entry = (tenantId: string): AuditEntry => ({
      tenantId,
      actor: { userId: uuidv7(), sessionId: uuidv7(), deviceId: uuidv7(), role: 'front_desk' },
      action: 'sync.pull',
      kind: 'query',
      entity: 'patient',
      ids: Array.from({ length: 10 }, () => uuidv7()),
      outcome: 'ok',
      errorCode: null,
      detail: { domain: 'master_data' },
      occurredAt: new Date(),
    });
    for (let i = 0; i < 50; i++) await audit.record(entry(orgs[0])); // warm-up

    const bare = await rate(entries, () => databases.domains.audit.withTenant(orgs[0], (sql) => sql.query('SELECT 1')));
    const sequential = await rate(entries, () => audit.record(entry(orgs[0])));
    const start = performance.now();
    await Promise.all(Array.from({ length: entries }, (_, i) => audit.record(entry(orgs[i % 2]!))));
    const parallel = entries / ((performance.now() - start) / 1000);
    const verifyStart = performance.now();
    const verified = await audit.verify(orgs[0]);
    if (!verified.ok) throw new Error('audit bench: the chain it just wrote does not verify');
    const verifyRate = verified.entries / ((performance.now() - verifyStart) / 1000);
    const on = engine.name;
    return [
      { name: `audit_append_per_s_${on}`, value: sequential, unit: 'entries/s', note: 'one after another, one org' },
      { name: `audit_append_parallel_per_s_${on}`, value: parallel, unit: 'entries/s', note: 'all at once, two orgs' },
      { name: `audit_append_vs_bare_txn_${on}`, value: sequential / bare, unit: 'ratio', note: 'append rate / empty tenant transaction rate' },
      { name: `audit_verify_per_s_${on}`, value: verifyRate, unit: 'entries/s', note: `${verified.entries} entries re-hashed` },
    ];
  } finally {
    await databases.close();
    await db.drop();
  }
}

async function rate(count: number, fn: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  for (let i = 0; i < count; i++) await fn();
  return count / ((performance.now() - start) / 1000);
}
