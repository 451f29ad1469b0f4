import type { IsolationTier } from '../domains/tenant_info/tenants.ts';
import type { TierResult } from '../admin/placement-admin.ts';
import type { TargetInput } from '../placement/tenant-placements.ts';
import type { ServerCore } from '../server.ts';
import { auditedCommand } from '../cli/admin-session.ts';
import { resolveTenantRef, type TenantRef } from '../cli/commands/tenant-ref.ts';

export interface SetTierInput {
  tenant: TenantRef;
  tier: IsolationTier;
  target: TargetInput;
}

/**
 * `tenant set-tier` itself, wherever it runs: in the CLI's own process (no server running)
 * or in the serving process, asked over the operator socket. One audit entry for the
 * command, admin:tenant.set-tier (a data move adds its own admin:tenant.move entry).
 */
export function setTierAudited(core: ServerCore, input: SetTierInput, via: 'cli' | 'operator-socket'): Promise<TierResult> {
  const { tenant, tier, target } = input;
  return auditedCommand(
    core,
    'tenant.set-tier',
    null,
    async (trail) => {
      const tenantId = await resolveTenantRef(core, tenant, { mustExist: true });
      trail.tenantId = tenantId;
      trail.touched('tenant', [tenantId]);
      trail.note('tier', tier);
      const change = await core.admin.setTier({ tenantId, tier, ...(Object.keys(target).length > 0 ? { target } : {}) });
      trail.note('previousTier', change.previousTier);
      trail.note('rowsMoved', change.rowsMoved);
      return change;
    },
    via,
  );
}
