import { resolve } from 'node:path';
import { auditedCommand, operatorName, withAdminSession } from '../admin-session.ts';
import type { Command } from '../command.ts';
import { chooseDatabase } from '../database.ts';
import { json } from '../output.ts';
import { CommandFailure, requiredFlag } from '../usage.ts';
import { resolveTenantRef, tenantRefFlag } from './tenant-ref.ts';

/**
 * Test only: the step after whose work (before it is recorded) the command stops and waits
 * to be killed, announcing it on stderr. The resumption test kills it there with SIGKILL.
 */
export const PAUSE_AFTER_VAR = 'CLINICSYNC_TEST_OFFBOARD_PAUSE_AFTER';

export const tenantOffboard: Command = {
  name: 'tenant offboard',
  summary: 'Offboard an organization: freeze, final export, delete everywhere, verify, signed certificate.',
  help: `Usage: clinicsync-server tenant offboard --tenant CODE|ID --out DIR [--json]

  --tenant CODE|ID   the organization (it cannot be brought back)
  --out DIR          where the final export (DIR/export), the journal and the signed
                     deletion certificate (DIR/deletion-certificate.json) are written
  --json             print {tenantId, certificatePath, certificateSha256, exportDir, alreadyDone}

Steps: freeze (every request refused with ORG_OFFBOARDED, so workstations wipe their copy),
final export, count the org's rows in every table of every domain database, crypto-shred
its vault keys, delete its rows (dedicated tier: drop its databases; a patient another
org also links keeps their core record), verify the count is zero, write the signed
certificate, mark the org offboarded. Each step is recorded in DIR/offboarding-journal.json:
if the command is interrupted, run it again with the same --out to finish.

Signing key: CLINICSYNC_CERTIFICATE_KEY_FILE (an Ed25519 private key, PKCS#8 PEM); on PGlite
without it, <data-dir>/certificate-signing.key, generated on first use.`,
  flags: { tenant: { type: 'string' }, out: { type: 'string' }, json: { type: 'boolean' } },
  usesDatabase: true,
  run: async (values, io) => {
    const ref = tenantRefFlag(values, 'tenant offboard');
    const outDir = resolve(requiredFlag(values, 'out', 'tenant offboard'));
    const { options } = chooseDatabase(values, io.env);
    const { loadSigningKey, SigningKeyError } = await import('../../offboard/signing-key.ts');
    let signingKey;
    try {
      // Before anything is frozen: a run that could not sign its certificate must not start.
      signingKey = loadSigningKey(io.env, options.kind === 'pglite' ? (options.dataDir ?? null) : null);
    } catch (error) {
      if (error instanceof SigningKeyError) throw new CommandFailure(error.message);
      throw error;
    }
    const pauseAfter = io.env[PAUSE_AFTER_VAR];
    const { offboardTenant } = await import('../../offboard/offboard-tenant.ts');
    const result = await withAdminSession(values, io, async ({ core, database }) => {
      const tenantId = await resolveTenantRef(core, ref, { mustExist: true });
      return offboardTenant({
        core,
        database: database.options,
        tenantId,
        outDir,
        signingKey,
        operator: operatorName(),
        audited: (id, name, fn) => auditedCommand(core, name, id, fn),
        afterStepWork: async (step) => {
          if (step !== pauseAfter) return;
          io.err(`offboard: paused after ${step} (test)\n`);
          await new Promise(() => setInterval(() => undefined, 60_000));
        },
      });
    });
    const { certificate } = result;
    const summary = {
      tenantId: certificate.tenant.id,
      certificatePath: result.certificatePath,
      certificateSha256: certificate.sha256,
      exportDir: result.exportDir,
      alreadyDone: result.alreadyDone,
    };
    if (values.json) io.out(json(summary));
    else {
      const rows = certificate.tables.reduce((sum, table) => sum + (table.kept ? 0 : table.before), 0);
      io.out(
        `Organization "${certificate.tenant.code}" (${certificate.tenant.id}) is offboarded.\n` +
          `Deleted and verified: ${rows} rows in ${certificate.tables.length} tables${certificate.dedicatedDatabasesDropped ? `; dropped its ${certificate.dedicatedDatabasesDropped}` : ''}.\n` +
          `Final export: ${result.exportDir} (manifest SHA-256 ${certificate.export.manifestSha256}).\n` +
          `Signed deletion certificate: ${result.certificatePath} (SHA-256 ${certificate.sha256}).\n`,
      );
    }
    return 0;
  },
};
