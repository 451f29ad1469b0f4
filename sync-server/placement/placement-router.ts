import { DOMAINS, type Domain } from '../../shared/domains.ts';
import { AppError } from '../../shared/errors.ts';
import type { DomainDb, PhysicalDatabases, Statement } from '../db/domain-db.ts';
import { assertTenantId } from '../db/tenant-setting.ts';
import type { DedicatedDeployments } from './dedicated-deployments.ts';
import { isPlacedDomain } from './placed-domains.ts';
import type { PlacementDirectory, PlacementRecord } from './placement-directory.ts';
import { MOVING_MESSAGE, type TenantGate } from './tenant-gate.ts';

/**
 * Finds an org's physical databases. Each org's placement is read once and kept in this
 * process; a move replaces the entry with the version it wrote (moves of this deployment
 * run in one process at a time, see serving-lease.ts, so no other process can make it stale).
 */
export class PlacementRouter {
  private readonly shared: PhysicalDatabases;
  private readonly directory: PlacementDirectory;
  private readonly deployments: DedicatedDeployments;
  private readonly gate: TenantGate;
  private readonly known = new Map<string, Promise<PlacementRecord>>();

  constructor(shared: PhysicalDatabases, directory: PlacementDirectory, deployments: DedicatedDeployments, gate: TenantGate) {
    this.shared = shared;
    this.directory = directory;
    this.deployments = deployments;
    this.gate = gate;
  }

  /**
   * The DomainDbs services get: the placed domains are routers, the control-plane domains
   * are the shared databases themselves. system() stays on the shared databases.
   */
  domains(): Record<Domain, DomainDb> {
    return Object.fromEntries(DOMAINS.map((domain) => [domain, isPlacedDomain(domain) ? this.routed(domain) : this.shared.domains[domain]])) as Record<
      Domain,
      DomainDb
    >;
  }

  /** Where the org's placed domains are now (opening its dedicated databases if needed). */
  async locate(tenantId: string): Promise<PhysicalDatabases> {
    const record = await this.placementOf(tenantId);
    if (record.state === 'moving') {
      // Moved by a process that stopped half-way (moves here close the gate first, so this
      // process never routes into its own move): refuse until a move command settles it.
      this.forget(tenantId);
      throw new AppError('RATE_LIMITED', MOVING_MESSAGE);
    }
    return record.location.placement === 'shared' ? this.shared : this.deployments.open(record.location.target);
  }

  placementOf(tenantId: string): Promise<PlacementRecord> {
    let record = this.known.get(tenantId);
    if (!record) {
      record = this.directory.read(tenantId);
      this.known.set(tenantId, record);
      record.catch(() => this.forget(tenantId));
    }
    return record;
  }

  remember(record: PlacementRecord): void {
    this.known.set(record.tenantId, Promise.resolve(record));
  }

  forget(tenantId: string): void {
    this.known.delete(tenantId);
  }

  /** Orgs this process currently routes to a dedicated target with this key (to keep it open). */
  async routedTo(key: (record: PlacementRecord) => boolean): Promise<boolean> {
    const records = await Promise.allSettled([...this.known.values()]);
    return records.some((settled) => settled.status === 'fulfilled' && key(settled.value));
  }

  /**
   * `fn` holding every org's gate lease, taken in org order, so two batches never wait on
   * each other's leases in a cycle. At an org whose gate a move has closed, the batch waits
   * like any call of that org (RATE_LIMITED after the gate's wait, and the caller then
   * writes each org on its own), holding the leases it has; a move of one of those waits
   * for it as for any call in flight.
   */
  private holdingAll<T>(tenantIds: readonly string[], fn: () => Promise<T>): Promise<T> {
    const ordered = [...new Set(tenantIds)].sort();
    const hold = (i: number): Promise<T> => (i === ordered.length ? fn() : this.gate.run(ordered[i]!, () => hold(i + 1)));
    return hold(0);
  }

  private routed(domain: Domain): DomainDb {
    const shared = this.shared.domains[domain];
    return {
      domain,
      withTenant: (tenantId, fn, options) => {
        assertTenantId(tenantId);
        return this.gate.run(tenantId, async () => (await this.locate(tenantId)).domains[domain].withTenant(tenantId, fn, options));
      },
      appStatement: (tenantId, text, params) => {
        assertTenantId(tenantId);
        return this.gate.run(tenantId, async () => (await this.locate(tenantId)).domains[domain].appStatement(tenantId, text, params));
      },
      appStatementAcross: async <Row extends object>(tenantIds: readonly string[], statementFor: (tenantIds: readonly string[]) => Statement) => {
        for (const tenantId of tenantIds) assertTenantId(tenantId);
        return this.holdingAll(tenantIds, async () => {
          const groups = new Map<PhysicalDatabases, string[]>();
          for (const tenantId of tenantIds) {
            const at = await this.locate(tenantId);
            groups.set(at, [...(groups.get(at) ?? []), tenantId]);
          }
          const settled = await Promise.allSettled([...groups].map(([at, ids]) => at.domains[domain].appStatementAcross<Row>(ids, statementFor)));
          // Each database's statement commits on its own: the rows of those that did, so
          // the caller writes the others' orgs again on their own (DomainDb, appStatementAcross).
          const done = settled.flatMap((outcome) => (outcome.status === 'fulfilled' ? [outcome.value] : []));
          if (done.length === 0) throw (settled[0] as PromiseRejectedResult).reason;
          return done.flat();
        });
      },
      system: (reason, fn) => shared.system(reason, fn),
      systemForTenant: (tenantId, reason, fn) => {
        assertTenantId(tenantId);
        return this.gate.run(tenantId, async () => (await this.locate(tenantId)).domains[domain].systemForTenant(tenantId, reason, fn));
      },
    };
  }
}
