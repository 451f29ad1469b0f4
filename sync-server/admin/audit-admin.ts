import { AppError } from '../../shared/errors.ts';
import { isId } from '../../shared/ids.ts';
import { auditedWork } from '../audit/audited-work.ts';
import { auditQuerySchema, type AuditPage, type AuditQuery, type AuditVerification } from '../audit/audit-read.ts';
import { UNATTRIBUTED_TENANT_ID } from '../audit/audit-trail.ts';
import type { Services } from '../services.ts';

/**
 * The audit trail for the CLI (`clinicsync-server audit verify --tenant T`) and tests.
 * `tenantId` is an org id or UNATTRIBUTED_TENANT_ID (requests that named no existing org).
 * Each command is itself audited in the chain it concerns, as kind 'admin'.
 */
export interface AuditAdmin {
  /** Recomputes the org's whole chain; `ok` is false when any row was edited, deleted or moved. */
  verifyAudit(input: { tenantId: string }): Promise<AuditVerification>;
  /** The org's entries, newest first (same filters and paging as audit.events.list). */
  listAudit(input: { tenantId: string } & Partial<AuditQuery>): Promise<AuditPage>;
}

export function createAuditAdmin(services: Services): AuditAdmin {
  return {
    verifyAudit: async ({ tenantId }) => {
      assertChainId(tenantId);
      return auditedWork(services.audit, { tenantId, kind: 'admin', name: 'audit.verify' }, async (trail) => {
        const result = await services.audit.verify(tenantId);
        trail.touched('audit_event', []);
        trail.note('ok', result.ok);
        trail.note('entries', result.entries);
        trail.note('problems', result.problems.length);
        services.log({ level: result.ok ? 'info' : 'error', event: 'audit_verified', tenantId, ok: result.ok, entries: result.entries, problems: result.problems.length });
        return result;
      });
    },
    listAudit: async ({ tenantId, ...filters }) => {
      assertChainId(tenantId);
      const parsed = auditQuerySchema.safeParse(filters);
      if (!parsed.success) {
        const fields = parsed.error.issues.map((issue) => issue.path.join('.') || '(input)').join(', ');
        throw new AppError('VALIDATION', `These audit filters are not valid: ${fields}.`);
      }
      return auditedWork(services.audit, { tenantId, kind: 'admin', name: 'audit.list' }, async (trail) => {
        const page = await services.audit.list(tenantId, parsed.data);
        trail.touched('audit_event', page.entries.map((entry) => entry.id));
        return page;
      });
    },
  };
}

function assertChainId(tenantId: string): void {
  if (tenantId !== UNATTRIBUTED_TENANT_ID && !isId(tenantId)) {
    throw new AppError('VALIDATION', 'That is not an organization id (a lower-case UUID).');
  }
}
