import { AppError } from '../../shared/errors.ts';
import { auditedWork } from '../audit/audited-work.ts';
import type { DatabaseSet } from '../db/domain-db.ts';
import { ISOLATION_TIERS, type IsolationTier } from '../domains/tenant_info/tenants.ts';
import type { MoveReport, PlacementView, TargetInput } from '../placement/tenant-placements.ts';
import type { Services } from '../services.ts';

export interface TierResult {
  tenantId: string;
  tier: IsolationTier;
  previousTier: IsolationTier;
  placement: 'shared' | 'dedicated';
  /** Where the org's own domains are now, in words. */
  location: string;
  /** Whether data was moved (entering or leaving 'dedicated'). */
  moved: boolean;
  rowsMoved: number;
  tables: MoveReport['tables'];
}

/**
 * The dedicated tier for the CLI (`tenant set-tier`), operations and tests. A move is
 * audited in the org's own chain (kind 'admin', action admin:tenant.move): the entry is
 * written after the move, so it lands in the chain at the org's new place.
 */
export interface PlacementAdmin {
  placementOf(tenantId: string): Promise<PlacementView>;
  /** Moves the org's own domains; per-table row counts, verified against the source before the flip. */
  moveTenant(input: { tenantId: string; to: 'shared' | 'dedicated'; target?: TargetInput }): Promise<MoveReport>;
  /**
   * Sets the isolation tier: entering 'dedicated' moves the data first, leaving it moves the
   * data back first, then the tier (and with it the sign-in namespace) is set. Running it
   * again after a failure finishes the job: a move to where the org already is does nothing.
   */
  setTier(input: { tenantId: string; tier: IsolationTier; target?: TargetInput }): Promise<TierResult>;
}

export function createPlacementAdmin(services: Services, databases: DatabaseSet): PlacementAdmin {
  const { placements } = databases;
  const moveTenant: PlacementAdmin['moveTenant'] = async (input) => {
    await placements.placementOf(input.tenantId); // NOT_FOUND before anything is audited under an unknown id
    return auditedWork(services.audit, { tenantId: input.tenantId, kind: 'admin', name: 'tenant.move' }, async (trail) => {
      trail.touched('tenant', [input.tenantId]);
      trail.note('to', input.to);
      const report = await placements.moveTenant(input);
      trail.note('moved', report.moved);
      trail.note('rows', report.tables.reduce((sum, t) => sum + t.rows, 0));
      return report;
    });
  };
  return {
    placementOf: (tenantId) => placements.placementOf(tenantId),
    moveTenant,
    setTier: async ({ tenantId, tier, target }) => {
      if (!(ISOLATION_TIERS as readonly string[]).includes(tier)) throw new AppError('VALIDATION', 'The tier must be shared, namespace or dedicated.');
      if (tier !== 'dedicated' && target !== undefined && Object.keys(target).length > 0) {
        throw new AppError('VALIDATION', 'Only the dedicated tier takes a server, database prefix or folder.');
      }
      const before = await placements.placementOf(tenantId);
      const move =
        tier === 'dedicated'
          ? await moveTenant({ tenantId, to: 'dedicated', ...(target !== undefined && Object.keys(target).length > 0 ? { target } : {}) })
          : before.placement === 'dedicated'
            ? await moveTenant({ tenantId, to: 'shared' })
            : null;
      const change = await services.isolationTiers.set(tenantId, tier);
      const after = await placements.placementOf(tenantId);
      const tables = move?.tables ?? [];
      return {
        tenantId,
        tier: change.to,
        previousTier: change.from,
        placement: after.placement,
        location: after.location,
        moved: move?.moved ?? false,
        rowsMoved: move?.moved ? tables.reduce((sum, t) => sum + t.rows, 0) : 0,
        tables,
      };
    },
  };
}
