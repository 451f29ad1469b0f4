import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { DOMAINS } from '../../shared/domains.ts';
import { AppError } from '../../shared/errors.ts';
import type { AuditTrail } from '../audit/audit-trail.ts';
import type { DatabaseOptions } from '../db/open-databases.ts';
import { databaseName } from '../db/postgres-urls.ts';
import { deploymentKey } from '../operator/deployment-key.ts';
import { PLACED_DOMAINS } from '../placement/placed-domains.ts';
import { PlacementDirectory } from '../placement/placement-directory.ts';
import { describeLocation, type DedicatedTarget } from '../placement/placement-target.ts';
import type { DatabaseSet } from '../db/domain-db.ts';
import type { Services } from '../services.ts';
import { signCertificate, type CertifiedTable, type DeletionCertificate } from './deletion-certificate.ts';
import { exportFolderFree, finalExport } from './final-export.ts';
import { KEPT_TABLES } from './kept-rows.ts';
import { OFFBOARD_STEPS, readJournal, writeDurably, writeJournal, type OffboardJournal, type OffboardStep } from './offboard-journal.ts';
import { deleteOrgRows, keptRowProblems, scrubKeptRows } from './org-deletion.ts';
import { countKey, countOrgRows, type TableCount } from './org-rows.ts';
import type { SigningKey } from './signing-key.ts';

export const CERTIFICATE_FILE = 'deletion-certificate.json';
export const PUBLIC_KEY_FILE = 'certificate-signing-key.pub.pem';
export const EXPORT_FOLDER = 'export';

/** How one step is audited: one admin entry in the org's chain (the CLI adds the operator). */
export type AuditedStep = <T>(tenantId: string, name: string, fn: (trail: AuditTrail) => Promise<T>) => Promise<T>;

/** What offboarding works on: the databases, and the services it goes through (tenants' status, vault keys). */
export interface OffboardCore {
  databases: DatabaseSet;
  services: Pick<Services, 'tenants' | 'vault'>;
}

export interface OffboardInput {
  core: OffboardCore;
  database: DatabaseOptions;
  tenantId: string;
  /** Holds export/, the journal and the certificate. */
  outDir: string;
  signingKey: SigningKey;
  operator: string;
  audited: AuditedStep;
  /** Test only (CLI: CLINICSYNC_TEST_OFFBOARD_PAUSE_AFTER): called after a step's work, before it is recorded. */
  afterStepWork?: (step: OffboardStep) => Promise<void>;
}

export interface OffboardResult {
  certificate: DeletionCertificate;
  certificatePath: string;
  exportDir: string;
  /** Steps this run found already done (a re-run after an interruption). */
  alreadyDone: OffboardStep[];
}

/**
 * `tenant offboard`: freeze, final export, count, crypto-shred, delete, verify, certificate,
 * mark offboarded. Each step is recorded in the journal (offboard-journal.ts) when it
 * finishes, and each is safe to run again when it was interrupted before that: so a re-run
 * after a kill at any point completes the job, never repeats a finished step, and never
 * loses the counts taken before the deletion. Every step leaves an admin audit entry
 * (ids, counts, hashes, times: no PHI); those before the deletion go with the org's chain,
 * so the deletion's own entry repeats their times and results in the new chain.
 */
export async function offboardTenant(input: OffboardInput): Promise<OffboardResult> {
  const { core, tenantId, outDir, audited } = input;
  const exportDir = join(outDir, EXPORT_FOLDER);
  const journal = await openJournal(input, exportDir);
  const save = () => writeJournal(outDir, journal);
  const alreadyDone = OFFBOARD_STEPS.filter((step) => journal.steps[step]?.finishedAt);

  const steps: Record<OffboardStep, () => Promise<void>> = {
    freeze: () =>
      audited(tenantId, 'tenant.offboard.freeze', async (trail) => {
        // From now on every request of the org is refused with ORG_OFFBOARDED: its workstations wipe their copy.
        const change = await core.services.tenants.setStatus(tenantId, 'offboarding');
        trail.touched('tenant', [tenantId]);
        trail.note('from', change.from);
      }),
    export: () =>
      audited(tenantId, 'tenant.offboard.export', async (trail) => {
        journal.export = await finalExport(core.databases, tenantId, exportDir);
        trail.note('manifestSha256', journal.export.manifestSha256);
        trail.note('resources', journal.export.resources);
      }),
    count: () =>
      audited(tenantId, 'tenant.offboard.count', async (trail) => {
        const placement = await new PlacementDirectory(core.databases.domains.tenant_info).read(tenantId);
        journal.dedicated = placement.location.placement === 'dedicated' ? placement.location.target : null;
        journal.before = await countEverywhere(input, journal.dedicated !== null);
        trail.note('tables', journal.before.length);
        trail.note('rows', journal.before.reduce((sum, count) => sum + count.rows, 0));
      }),
    shred: () =>
      audited(tenantId, 'tenant.offboard.shred', async (trail) => {
        journal.shred = await core.services.vault.keys.shred(tenantId, trail);
      }),
    delete: async () => {
      if (!journal.delete?.rowsDeletedAt) {
        await core.databases.placements.dropDedicated(tenantId);
        await deleteOrgRows(core.databases, DOMAINS, tenantId);
        await scrubKeptRows(core.databases, tenantId);
        const dropped = journal.dedicated ? describeLocation({ placement: 'dedicated', target: journal.dedicated }) : null;
        journal.delete = { dropped, rowsDeletedAt: new Date().toISOString() };
        save();
      }
      // The first entry of the org's new chain: what the removed chain recorded of this offboarding.
      await audited(tenantId, 'tenant.offboard.delete', async (trail) => {
        trail.touched('tenant', [tenantId]);
        for (const step of OFFBOARD_STEPS.slice(0, 4)) trail.note(`${step}FinishedAt`, journal.steps[step]?.finishedAt ?? '');
        trail.note('manifestSha256', journal.export?.manifestSha256 ?? '');
        trail.note('rowsBefore', (journal.before ?? []).reduce((sum, count) => sum + count.rows, 0));
        trail.note('destroyedVaultKeys', journal.shred?.destroyedKeys ?? 0);
        trail.note('dedicatedDropped', journal.delete?.dropped !== null && journal.delete?.dropped !== undefined);
      });
    },
    verify: () =>
      audited(tenantId, 'tenant.offboard.verify', async (trail) => {
        const after = await countEverywhere(input, false);
        const problems = [
          ...after.filter((count) => count.rows !== 0 && !Object.hasOwn(KEPT_TABLES, `${count.domain}.${count.table}`)).map((count) => `${countKey(count)}: ${count.rows} row(s) left`),
          ...(await keptRowProblems(core.databases, tenantId, journal.steps.delete!.startedAt)),
          ...(journal.dedicated && !(await dedicatedGone(input.database, journal.dedicated)) ? ["the org's dedicated databases still exist"] : []),
        ];
        trail.note('tables', after.length);
        trail.note('problems', problems.length);
        if (problems.length > 0) throw new AppError('INTERNAL', `Verification failed; the organization's data is not fully deleted: ${problems.join('; ')}.`);
        journal.after = after;
      }),
    certificate: () =>
      audited(tenantId, 'tenant.offboard.certificate', async (trail) => {
        const certificate = signCertificate(certificateContent(input, journal), input.signingKey);
        writeDurably(join(outDir, PUBLIC_KEY_FILE), input.signingKey.publicKeyPem);
        writeDurably(join(outDir, CERTIFICATE_FILE), `${JSON.stringify(certificate, null, 2)}\n`);
        journal.certificateSha256 = certificate.sha256;
        trail.note('certificateSha256', certificate.sha256);
      }),
    mark: () =>
      audited(tenantId, 'tenant.offboard.mark', async (trail) => {
        const change = await core.services.tenants.setStatus(tenantId, 'offboarded');
        trail.touched('tenant', [tenantId]);
        trail.note('from', change.from);
      }),
  };

  for (const step of OFFBOARD_STEPS) {
    if (journal.steps[step]?.finishedAt) continue;
    journal.steps[step] = { startedAt: journal.steps[step]?.startedAt ?? new Date().toISOString() };
    save();
    await steps[step]();
    await input.afterStepWork?.(step);
    journal.steps[step] = { ...journal.steps[step]!, finishedAt: new Date().toISOString() };
    save();
  }
  const certificatePath = join(outDir, CERTIFICATE_FILE);
  return { certificate: JSON.parse(readFileSync(certificatePath, 'utf8')) as DeletionCertificate, certificatePath, exportDir, alreadyDone };
}

/**
 * The journal of this org's offboarding in this folder, or a new one. An org already
 * frozen whose folder has no journal was started with another folder: going on here
 * would lose the counts taken before its deletion, so that is refused.
 */
async function openJournal(input: OffboardInput, exportDir: string): Promise<OffboardJournal> {
  const { core, tenantId, outDir } = input;
  const existing = existsSync(outDir) ? readJournal(outDir) : null;
  if (existing) {
    if (existing.tenantId !== tenantId) throw new AppError('CONFLICT', `The folder ${outDir} holds the offboarding of another organization.`);
    return existing;
  }
  const tenant = await core.services.tenants.get(tenantId);
  if (!tenant) throw new AppError('NOT_FOUND', `No organization has the id ${tenantId}.`);
  if (tenant.status === 'offboarding' || tenant.status === 'offboarded') {
    throw new AppError('CONFLICT', `This organization's offboarding was started with another --out folder (it is ${tenant.status}); run the command again with that folder, which holds its journal.`);
  }
  if (!exportFolderFree(exportDir)) throw new AppError('CONFLICT', `The export folder ${exportDir} is not empty; give an --out folder without an export in it.`);
  mkdirSync(outDir, { recursive: true, mode: 0o700 });
  const journal: OffboardJournal = {
    format: 'clinicsync.offboarding-journal.v1',
    tenantId,
    tenantCode: tenant.code,
    deployment: deploymentKey(input.database),
    operator: input.operator,
    steps: {},
  };
  writeJournal(outDir, journal);
  return journal;
}

/** The catalog-driven count in the shared databases (all eight) and, before deletion, the org's dedicated ones. */
async function countEverywhere(input: OffboardInput, withDedicated: boolean): Promise<TableCount[]> {
  const { core, tenantId } = input;
  const counts = await countOrgRows(core.databases, 'shared', DOMAINS, tenantId);
  if (withDedicated) counts.push(...(await countOrgRows(await core.databases.placements.dedicatedDatabasesOf(tenantId), 'dedicated', PLACED_DOMAINS, tenantId)));
  return counts;
}

/** Whether the org's dedicated databases are gone (PGlite in memory: closed is gone). */
async function dedicatedGone(options: DatabaseOptions, target: DedicatedTarget): Promise<boolean> {
  if (target.engine === 'pglite') return target.folder === null || !existsSync(target.folder);
  if (options.kind !== 'postgres') return false;
  const client = new pg.Client({ connectionString: target.serverUrl ?? options.adminUrl });
  await client.connect();
  try {
    const names = DOMAINS.map((domain) => databaseName(target.databasePrefix, domain));
    const { rows } = await client.query<{ n: number }>('SELECT count(*)::int AS n FROM pg_database WHERE datname = ANY($1::text[])', [names]);
    return rows[0]?.n === 0;
  } finally {
    await client.end();
  }
}

function certificateContent(input: OffboardInput, journal: OffboardJournal) {
  const after = new Map((journal.after ?? []).map((count) => [countKey(count), count.rows]));
  const tables: CertifiedTable[] = (journal.before ?? []).map((count) => {
    const key = countKey(count);
    const kept = KEPT_TABLES[`${count.domain}.${count.table}`];
    return { table: key, before: count.rows, after: count.deployment === 'dedicated' ? null : (after.get(key) ?? 0), ...(kept ? { kept } : {}) };
  });
  return {
    format: 'clinicsync.deletion-certificate.v1' as const,
    tenant: { id: journal.tenantId, code: journal.tenantCode },
    deployment: journal.deployment,
    operator: journal.operator,
    steps: OFFBOARD_STEPS.slice(0, OFFBOARD_STEPS.indexOf('certificate')).map((step) => ({
      step,
      startedAt: journal.steps[step]?.startedAt ?? '',
      finishedAt: journal.steps[step]?.finishedAt ?? '',
    })),
    export: journal.export ?? { manifestSha256: '', resources: 0, operationalFiles: 0 },
    vault: journal.shred ?? { destroyedKeys: 0 },
    dedicatedDatabasesDropped: journal.delete?.dropped ?? null,
    tables,
    issuedAt: new Date().toISOString(),
  };
}
