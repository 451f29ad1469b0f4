import type { AuditLog, AuditTrail } from '../audit/audit-trail.ts';
import { auditedWork } from '../audit/audited-work.ts';
import type { TenantDirectory } from '../domains/tenant_info/tenants.ts';
import type { Vault } from './vault.ts';
import type { TenantKeyRotation } from './vault-keys.ts';

export interface MasterRotationReport {
  masterKeyId: string;
  tenants: number;
  rewrapped: number;
  /** Data keys per master key after the run, over all orgs: only the active key should remain. */
  byMasterKey: Record<string, number>;
}

/**
 * Operator work on the vault (CLI, and offboarding for `shred`), each org's part written to
 * that org's audit trail as kind 'admin' (ids and counts, never key bytes).
 */
export interface VaultAdminDeps {
  vault: Vault;
  tenants: Pick<TenantDirectory, 'list'>;
  audit: AuditLog;
  /** How one org's part is audited; default auditedWork (kind admin). The CLI passes auditedCommand (adds the operator). */
  audited?: AuditedAdminWork;
}

export type AuditedAdminWork = <T>(tenantId: string, name: string, fn: (trail: AuditTrail) => Promise<T>) => Promise<T>;

export function createVaultAdmin(deps: VaultAdminDeps) {
  const audited: AuditedAdminWork = deps.audited ?? ((tenantId, name, fn) => auditedWork(deps.audit, { tenantId, kind: 'admin', name }, fn));
  const { vault } = deps;

  return {
    /** Rewraps every org's data keys under the active master key (orgs one by one; reads go on meanwhile). */
    async rotateMaster(): Promise<MasterRotationReport> {
      const wrapper = vault.secrets.keyWrapper();
      const report: MasterRotationReport = { masterKeyId: wrapper.activeKeyId, tenants: 0, rewrapped: 0, byMasterKey: {} };
      for (const tenant of await deps.tenants.list()) {
        const result = await audited(tenant.id, 'vault.rotate-master', (trail) => vault.keys.rewrapToActiveMaster(tenant.id, trail));
        report.tenants++;
        report.rewrapped += result.rewrapped;
        for (const [keyId, n] of Object.entries(result.byMasterKey)) report.byMasterKey[keyId] = (report.byMasterKey[keyId] ?? 0) + n;
      }
      return report;
    },

    rotateTenant(tenantId: string): Promise<TenantKeyRotation> {
      return audited(tenantId, 'vault.rotate-tenant', (trail) => vault.keys.rotateTenantKey(tenantId, trail));
    },

    /** Crypto-shred for offboarding (issue 7): the org's credentials can never be opened again. */
    shred(tenantId: string): Promise<{ destroyedKeys: number }> {
      return audited(tenantId, 'vault.shred', (trail) => vault.keys.shred(tenantId, trail));
    },
  };
}

export type VaultAdmin = ReturnType<typeof createVaultAdmin>;
