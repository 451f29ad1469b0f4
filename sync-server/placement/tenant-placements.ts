import type { Domain } from '../../shared/domains.ts';
import { AppError } from '../../shared/errors.ts';
import { isId } from '../../shared/ids.ts';
import type { DomainDb, PhysicalDatabases } from '../db/domain-db.ts';
import { checkPostgresLogPosture } from '../db/log-posture.ts';
import type { DatabaseOptions } from '../db/open-databases.ts';
import type { Logger } from '../log.ts';
import { DedicatedDeployments } from './dedicated-deployments.ts';
import { PlacementDirectory } from './placement-directory.ts';
import { PlacementRouter } from './placement-router.ts';
import { dedicatedTarget, describeLocation, SHARED, type DedicatedTarget, type Location, type TargetInput } from './placement-target.ts';
import { takeServingLease } from './serving-lease.ts';
import { TenantGate } from './tenant-gate.ts';
import { TenantMover, type MoveReport } from './tenant-mover.ts';

export type { MoveReport } from './tenant-mover.ts';
export type { TargetInput } from './placement-target.ts';

/** An org's placement, for operators (no secrets: server URLs never carry a password). */
export interface PlacementView {
  tenantId: string;
  placement: 'shared' | 'dedicated';
  /** Where, in words: "shared databases", "dedicated PostgreSQL databases cs_t_… on …". */
  location: string;
  state: 'active' | 'moving';
  version: number;
}

/** The placement directory, per-org routing and the move command (sync-server/placement/). */
export interface TenantPlacements {
  placementOf(tenantId: string): Promise<PlacementView>;
  moveTenant(input: { tenantId: string; to: 'shared' | 'dedicated'; target?: TargetInput }): Promise<MoveReport>;
  /**
   * The org's dedicated databases (its current ones, or the default ones, created if
   * needed), for operations and tests: catalog checks inside them. Never request handling.
   */
  dedicatedDatabasesOf(tenantId: string, target?: TargetInput): Promise<PhysicalDatabases>;
  /**
   * Offboarding (sync-server/offboard/): the org's dedicated databases are dropped, never
   * copied back, and its placement becomes shared. Resumable: until they are gone the old
   * place stays in cleanup_from. `dropped` says what went (null: it had none).
   */
  dropDedicated(tenantId: string): Promise<{ dropped: string | null; target: DedicatedTarget | null }>;
  close(): Promise<void>;
}

export interface PlacementSettings {
  /** How long an org's request waits for its move before RATE_LIMITED (default 30 s). */
  waitMs?: number;
  /** How long a move waits for the org's requests in flight (default 10 s). */
  drainMs?: number;
  /**
   * CLINICSYNC_REQUIRE_SAFE_PG_LOGGING: an org's dedicated databases whose PostgreSQL would
   * log bind parameters are not used (db/log-posture.ts); without it, a warning only.
   */
  refuseUnsafeLogging?: boolean;
}

/**
 * Wraps the shared deployment: its placed domains become per-org routers; the rest pass
 * through. Returns the DomainDbs services get and the placement control.
 */
export async function routePlacements(
  shared: PhysicalDatabases,
  options: DatabaseOptions,
  log: Logger,
  settings: PlacementSettings = {},
): Promise<{ domains: Record<Domain, DomainDb>; placements: TenantPlacements }> {
  const lease = await takeServingLease(options);
  const directory = new PlacementDirectory(shared.domains.tenant_info);
  const deployments = new DedicatedDeployments(
    options,
    (domain, reason) => log({ level: 'debug', event: 'system_access', domain, reason, placement: 'dedicated' }),
    async (databases, target) => {
      if (target.engine !== 'postgres') return;
      await checkPostgresLogPosture(databases, log, { refuse: settings.refuseUnsafeLogging === true, deployment: target.databasePrefix });
    },
  );
  const gate = new TenantGate({ waitMs: settings.waitMs ?? 30_000 });
  const router = new PlacementRouter(shared, directory, deployments, gate);
  const mover = new TenantMover({ shared, options, directory, router, deployments, gate, lease, log, drainMs: settings.drainMs ?? 10_000 });

  const destination = (tenantId: string, to: 'shared' | 'dedicated', target?: TargetInput): Location => {
    if (to === 'shared') {
      if (target !== undefined) throw new AppError('VALIDATION', 'A move back to the shared databases takes no target.');
      return SHARED;
    }
    if (to !== 'dedicated') throw new AppError('VALIDATION', 'A placement is "shared" or "dedicated".');
    return { placement: 'dedicated', target: dedicatedTarget(options, tenantId, target) };
  };
  const known = async (tenantId: string) => {
    if (!isId(tenantId) || !(await directory.tenantExists(tenantId))) throw new AppError('NOT_FOUND', 'No such organization.');
  };

  const placements: TenantPlacements = {
    placementOf: async (tenantId) => {
      await known(tenantId);
      const record = await directory.read(tenantId);
      return { tenantId, placement: record.location.placement, location: describeLocation(record.location), state: record.state, version: record.version };
    },
    moveTenant: async ({ tenantId, to, target }) => {
      await known(tenantId);
      return mover.move(tenantId, destination(tenantId, to, target));
    },
    dedicatedDatabasesOf: async (tenantId, target) => {
      await known(tenantId);
      const record = await router.placementOf(tenantId);
      const at = target === undefined && record.location.placement === 'dedicated' ? record.location : destination(tenantId, 'dedicated', target);
      if (at.placement !== 'dedicated') throw new Error('unreachable');
      return deployments.open(at.target);
    },
    dropDedicated: async (tenantId) => {
      await known(tenantId);
      let record = await directory.read(tenantId);
      if (record.state === 'moving') throw new AppError('CONFLICT', "This organization's move is unfinished; run tenant set-tier again to settle it first.");
      if (record.location.placement === 'dedicated') {
        // Another process would route to (and re-create) the databases dropped here.
        if ((await lease.othersServing()) > 0) throw new AppError('CONFLICT', 'Other server processes have these databases open. Stop them first, then run the command again.');
        record = await directory.flip(record, SHARED);
        router.remember(record);
      }
      const old = record.cleanupFrom;
      if (!old) return { dropped: null, target: null };
      if (old.placement === 'dedicated') {
        if ((await directory.otherUsersOf(tenantId, old.target)) > 0) await deployments.close(old.target);
        else await deployments.destroy(old.target);
      }
      router.remember(await directory.cleaned(record));
      return old.placement === 'dedicated' ? { dropped: describeLocation(old), target: old.target } : { dropped: null, target: null };
    },
    close: async () => {
      await deployments.closeAll();
      await lease.release();
    },
  };
  return { domains: router.domains(), placements };
}
