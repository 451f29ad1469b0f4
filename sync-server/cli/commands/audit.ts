import { UNATTRIBUTED_TENANT_ID } from '../../audit/audit-trail.ts';
import { withAdminSession } from '../admin-session.ts';
import type { Command } from '../command.ts';
import { json } from '../output.ts';
import { requiredFlag } from '../usage.ts';
import { resolveTenantRef, tenantRefFlag, type TenantRef } from './tenant-ref.ts';

export const auditVerify: Command = {
  name: 'audit verify',
  summary: "Recompute an organization's audit hash chain; exit 1 if any entry was edited or deleted.",
  help: `Usage: clinicsync-server audit verify --tenant CODE|ID|unattributed [--json]

  --tenant CODE|ID   the organization whose chain to check ("unattributed": requests
                     that named no existing organization)
  --json             print {ok, entries, problems, truncated} as JSON

Exit code 0: the chain is intact. 1: it is broken (each problem names the entry's seq).`,
  flags: { tenant: { type: 'string' }, json: { type: 'boolean' } },
  usesDatabase: true,
  run: async (values, io) => {
    const ref: TenantRef = requiredFlag(values, 'tenant', 'audit verify').trim() === 'unattributed' ? { id: UNATTRIBUTED_TENANT_ID } : tenantRefFlag(values, 'audit verify');
    const result = await withAdminSession(values, io, async ({ core }) => {
      const tenantId = 'id' in ref && ref.id === UNATTRIBUTED_TENANT_ID ? ref.id : await resolveTenantRef(core, ref, { mustExist: true });
      // verifyAudit writes its own audit entry (admin:audit.verify) in the chain it checked.
      return { tenantId, ...(await core.admin.verifyAudit({ tenantId })) };
    });
    if (values.json) io.out(json(result));
    else if (result.ok) io.out(`Audit chain of ${result.tenantId}: ${result.entries} entries, intact.\n`);
    else {
      const listed = result.problems.map((problem) => `  seq ${problem.seq}: ${problem.kind}\n`).join('');
      io.out(`Audit chain of ${result.tenantId}: BROKEN, ${result.problems.length}${result.truncated ? '+' : ''} problem(s) in ${result.entries} entries:\n${listed}`);
    }
    return result.ok ? 0 : 1;
  },
};
