import { DOMAINS, type Domain } from '../../shared/domains.ts';
import { AppError } from '../../shared/errors.ts';
import type { DomainDb, PhysicalDatabases } from '../db/domain-db.ts';
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
      system: (reason, fn) => shared.system(reason, fn),
      systemForTenant: (tenantId, reason, fn) => {
        assertTenantId(tenantId);
        return this.gate.run(tenantId, async () => (await this.locate(tenantId)).domains[domain].systemForTenant(tenantId, reason, fn));
      },
    };
  }
}
