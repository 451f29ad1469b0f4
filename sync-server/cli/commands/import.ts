import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { AuditTrail } from '../../audit/audit-trail.ts';
import { summaryText } from '../../portability/import/import-report.ts';
import type { ImportResult, ImportSource } from '../../portability/import/run-import.ts';
import type { ServerCore } from '../../server.ts';
import { auditedCommand, withAdminSession } from '../admin-session.ts';
import type { CliIo, Command } from '../command.ts';
import { json } from '../output.ts';
import { CommandFailure, stringFlag, UsageError } from '../usage.ts';
import { resolveTenantRef, tenantRefFlag } from './tenant-ref.ts';

export const importCommand: Command = {
  name: 'import',
  summary: "Onboard a practice: import a FHIR R4 Bundle / Bulk NDJSON set or a CSV patient roster into one organization.",
  help: `Usage: clinicsync-server import --tenant CODE|ID (--fhir FILE|DIR | --roster FILE.csv) [--report FILE] [--json]

  --tenant CODE|ID     the organization to import into (it must be active)
  --fhir FILE|DIR      a FHIR R4 Bundle (JSON; collection, transaction or batch), a Bulk
                       Data NDJSON folder (Patient.ndjson, Practitioner.ndjson,
                       Location.ndjson, Appointment.ndjson; its $export manifest.json is
                       used when present), or that manifest. Patients, practitioners (as
                       staff), locations, then appointments referencing them.
  --mrn-system URI     with --fhir: the identifier system of the practice's MRN (default:
                       the Patient identifier typed MR)
  --roster FILE.csv    a patient roster; the header names the columns, in any order:
                       mrn, given_name, family_name, birth_date (YYYY-MM-DD) required;
                       sex (female, male, other, unknown or F, M, O, U), phone,
                       national_id, insurance_member_id, passport, drivers_license optional
  --report FILE        the row-level report to write (default import-report-<time>.ndjson);
                       one JSON line per problem (file, line or entry, source id, field,
                       message; never a row's values), then a summary line. Mode 0600.
  --json               print the summary as JSON

Running the same import again changes nothing (rows are keyed by the org's MRN and by
the source's ids). A patient already registered elsewhere is linked only by the strong
match (an identifier with the same given name, family name and birth date); anything
weaker creates a new patient and the report says "possible match not linked".
Exit code 0: every row imported or already present. 1: some rows failed (see the report).`,
  flags: {
    tenant: { type: 'string' },
    fhir: { type: 'string' },
    'mrn-system': { type: 'string' },
    roster: { type: 'string' },
    report: { type: 'string' },
    json: { type: 'boolean' },
  },
  usesDatabase: true,
  run: async (values, io) => {
    const ref = tenantRefFlag(values, 'import');
    const fhir = stringFlag(values, 'fhir');
    const roster = stringFlag(values, 'roster');
    if ((fhir === undefined) === (roster === undefined)) throw new UsageError('"import" needs exactly one of --fhir or --roster.');
    const mrnSystem = stringFlag(values, 'mrn-system');
    if (mrnSystem !== undefined && fhir === undefined) throw new UsageError('--mrn-system goes with --fhir.');
    const path = resolve((fhir ?? roster)!);
    if (!existsSync(path)) throw new UsageError(`--${fhir !== undefined ? 'fhir' : 'roster'}: ${path} does not exist.`);
    const reportPath = resolve(stringFlag(values, 'report') ?? `import-report-${new Date().toISOString().replace(/[:.]/g, '-')}.ndjson`);
    if (reportPath === path) throw new UsageError('--report must not be the file being imported.');

    const result = await withAdminSession(values, io, async ({ core }) => {
      const tenantId = await resolveTenantRef(core, ref, { mustExist: true });
      const tenant = await core.services.tenants.get(tenantId);
      if (tenant?.status !== 'active') throw new CommandFailure(`The organization is ${tenant?.status ?? 'unknown'}; only an active organization can import.`);
      return auditedCommand(core, 'import', tenantId, (trail) => importAudited(core, tenantId, fhir !== undefined ? { kind: 'fhir', path, ...(mrnSystem ? { mrnSystem } : {}) } : { kind: 'roster', path }, reportPath, trail));
    });
    printSummary(io, result, values.json === true);
    return result.errors > 0 || !result.readable ? 1 : 0;
  },
};

/** The import with its audit entry: source kind and counts only (no file names, no values: nothing that could be PHI). */
async function importAudited(core: ServerCore, tenantId: string, source: ImportSource, reportPath: string, trail: AuditTrail): Promise<ImportResult> {
  const { runImport } = await import('../../portability/import/run-import.ts');
  const { importTargetsOf } = await import('../../portability/import/import-targets.ts');
  trail.note('source', source.kind);
  const result = await runImport(importTargetsOf(core), tenantId, source, reportPath);
  trail.note('run', result.runId);
  for (const [kind, counts] of Object.entries(result.counts)) {
    if (counts.read === 0) continue;
    for (const [outcome, n] of Object.entries(counts)) trail.note(`${kind}.${outcome}`, n);
  }
  trail.note('errors', result.errors);
  trail.note('warnings', result.warnings);
  return result;
}

function printSummary(io: CliIo, result: ImportResult, asJson: boolean): void {
  if (asJson) {
    io.out(json({ runId: result.runId, readable: result.readable, counts: result.counts, errors: result.errors, warnings: result.warnings, report: result.reportPath }));
    return;
  }
  io.out(`${result.readable ? 'Imported' : 'Import stopped: the source could not be read through'} (run ${result.runId}):\n${summaryText(result)}`);
}
