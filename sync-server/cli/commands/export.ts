import { resolve } from 'node:path';
import { auditedCommand, withAdminSession } from '../admin-session.ts';
import type { Command } from '../command.ts';
import { json, table } from '../output.ts';
import { CommandFailure, requiredFlag } from '../usage.ts';
import { resolveTenantRef, tenantRefFlag } from './tenant-ref.ts';

export const exportTenantCommand: Command = {
  name: 'export',
  summary: "Export one organization's data: FHIR R4 Bulk Data NDJSON, operational CSV/NDJSON, README, manifest.",
  help: `Usage: clinicsync-server export --tenant CODE|ID --out DIR [--json]

Writes the organization's data into DIR (created; it must be empty):
  <ResourceType>.ndjson   FHIR R4, one resource per line: Organization, Location,
                          Practitioner, PractitionerRole, Patient, Encounter, Appointment,
                          ServiceRequest (orders), DocumentReference (notes)
  operational/*.csv|ndjson practice profile, payer contracts, agent configuration, staff,
                          licences, locations, schedules, order history, audit trail
  README.md               what each file and column is
  manifest.json           the Bulk Data $export manifest (written last: a folder with it is complete)
Vault credentials are never exported. Other organizations keep working meanwhile; the
files hold PHI (mode 0600), so DIR belongs on encrypted storage.

  --tenant CODE|ID   the organization
  --out DIR          the folder to write
  --json             print the manifest as JSON`,
  flags: { tenant: { type: 'string' }, out: { type: 'string' }, json: { type: 'boolean' } },
  usesDatabase: true,
  run: async (values, io) => {
    const ref = tenantRefFlag(values, 'export');
    const outDir = resolve(requiredFlag(values, 'out', 'export'));
    const manifest = await withAdminSession(values, io, async ({ core }) => {
      const tenantId = await resolveTenantRef(core, ref, { mustExist: true });
      const { exportTenant } = await import('../../portability/export/export-tenant.ts');
      return auditedCommand(core, 'export', tenantId, async (trail) => {
        try {
          const result = await exportTenant({ databases: core.databases, tenantId, outDir });
          for (const entry of result.output) trail.note(`count.${entry.type}`, entry.count);
          return result;
        } catch (error) {
          if (error instanceof Error && error.message === 'the export folder is not empty') throw new CommandFailure(`${outDir} is not empty; give a new or empty folder.`);
          throw error;
        }
      });
    });
    if (values.json) io.out(json(manifest));
    else {
      const rows = [
        ...manifest.output.map((entry) => ({ file: entry.url, rows: entry.count })),
        ...manifest.extension.clinicsync.operational.map((entry) => ({ file: entry.url, rows: entry.count })),
      ];
      io.out(`Exported ${manifest.extension.clinicsync.tenantId} into ${outDir} (as of ${manifest.transactionTime}):\n${table(rows, ['file', 'rows'], 'No files.')}`);
    }
    return 0;
  },
};
