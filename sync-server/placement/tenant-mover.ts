import { AppError } from '../../shared/errors.ts';
import { isId } from '../../shared/ids.ts';
import type { PhysicalDatabases } from '../db/domain-db.ts';
import type { DatabaseOptions } from '../db/open-databases.ts';
import { errorCodeOf, type Logger } from '../log.ts';
import type { DedicatedDeployments } from './dedicated-deployments.ts';
import { PLACED_DOMAINS, type PlacedDomain } from './placed-domains.ts';
import type { PlacementDirectory, PlacementRecord } from './placement-directory.ts';
import type { PlacementRouter } from './placement-router.ts';
import { describeLocation, isDefaultTarget, sameLocation, targetKey, type Location } from './placement-target.ts';
import type { ServingLease } from './serving-lease.ts';
import { copyTable, deleteOrgRows, raiseSequences, tallyTable } from './tenant-copy.ts';
import type { TenantGate } from './tenant-gate.ts';
import { sequencesOf, tenantTablesOf, type TenantTable } from './tenant-tables.ts';

export interface MoveReport {
  tenantId: string;
  from: string;
  to: string;
  /** False when the org already was where it was asked to go. */
  moved: boolean;
  /** Rows of the org per table at its (new) place, verified equal to the source's before the flip. */
  tables: { domain: PlacedDomain; table: string; rows: number }[];
}

export interface MoverDeps {
  shared: PhysicalDatabases;
  options: DatabaseOptions;
  directory: PlacementDirectory;
  router: PlacementRouter;
  deployments: DedicatedDeployments;
  gate: TenantGate;
  lease: ServingLease;
  log: Logger;
  /** How long the org's requests in flight may take to finish before a move gives up. */
  drainMs: number;
}

interface DomainPlan {
  domain: PlacedDomain;
  tables: TenantTable[];
  sequences: string[];
}

const OTHERS_SERVING =
  'Other server processes have these databases open. Run the move in the serving process, or stop the other processes first, so that no write is missed.';

/**
 * Moves one org's placed domains between the shared databases and a dedicated placement:
 *  1. close the org's gate (its requests wait) once its work in flight has finished;
 *  2. mark the placement `moving` (an interrupted move is rolled back from this mark);
 *  3. copy the org's rows domain by domain, table by table (every table from the catalog),
 *     and raise the target's sequences to the source's, so sync cursors stay valid;
 *  4. verify each table: same row count and the same digest of the rows on both sides;
 *  5. flip the placement (version + 1), open the gate: requests go to the new place;
 *  6. delete the org's rows from the old place, verified to be zero.
 * Any failure before the flip removes the partial copy and leaves the org where it was.
 */
export class TenantMover {
  private readonly deps: MoverDeps;
  private readonly running = new Set<string>();

  constructor(deps: MoverDeps) {
    this.deps = deps;
  }

  async move(tenantId: string, to: Location): Promise<MoveReport> {
    const { directory, lease } = this.deps;
    if (!isId(tenantId) || !(await directory.tenantExists(tenantId))) throw new AppError('NOT_FOUND', 'No such organization.');
    if (this.running.has(tenantId)) throw new AppError('CONFLICT', 'A move of this organization is already running.');
    this.running.add(tenantId);
    try {
      if ((await lease.othersServing()) > 0) throw new AppError('CONFLICT', OTHERS_SERVING);
      let record = await directory.read(tenantId);
      if (record.state === 'moving') record = await this.recover(record);
      if (record.cleanupFrom) record = await this.cleanUp(record);
      if (sameLocation(record.location, to)) {
        return { tenantId, from: describeLocation(record.location), to: describeLocation(to), moved: false, tables: await this.rowsAt(record.location, tenantId) };
      }
      if (to.placement === 'dedicated' && (await directory.otherUsersOf(tenantId, to.target)) > 0) {
        throw new AppError('CONFLICT', 'Another organization already uses that dedicated database; name another one.');
      }
      const started = Date.now();
      const { flipped, tables } = await this.relocate(record, to);
      await this.cleanUp(flipped);
      const rows = tables.reduce((sum, t) => sum + t.rows, 0);
      this.deps.log({ level: 'info', event: 'tenant_moved', tenantId, placement: to.placement, tables: tables.length, rows, ms: Date.now() - started });
      return { tenantId, from: describeLocation(record.location), to: describeLocation(to), moved: true, tables };
    } finally {
      this.running.delete(tenantId);
    }
  }

  private async relocate(record: PlacementRecord, to: Location): Promise<{ flipped: PlacementRecord; tables: MoveReport['tables'] }> {
    const { directory, router, gate, log } = this.deps;
    const { tenantId } = record;
    const from = record.location;
    let step = 'open the databases';
    let plan: DomainPlan[];
    let source: PhysicalDatabases;
    let target: PhysicalDatabases;
    try {
      source = await this.physical(from);
      target = await this.physical(to);
      step = 'compare the database schemas';
      plan = await planMove(source, target);
    } catch (error) {
      log({ level: 'error', event: 'tenant_move_failed', tenantId, step, error: errorCodeOf(error) });
      throw new AppError('INTERNAL', `Moving the organization failed (${step}); nothing was moved and it keeps working from its ${describeLocation(from)}.`, { cause: error });
    }

    const release = await gate.close(tenantId, this.deps.drainMs);
    let moving: PlacementRecord | undefined;
    try {
      step = 'mark the move';
      moving = await directory.markMoving(record, to);
      router.forget(tenantId);
      step = 'clear the destination';
      await clearOrg(target, plan, tenantId);
      const tables: MoveReport['tables'] = [];
      for (const { domain, tables: domainTables, sequences } of plan) {
        for (const table of domainTables) {
          step = `copy ${domain}.${table.table}`;
          const rows = await copyTable(source, target, table, tenantId);
          step = `verify ${domain}.${table.table}`;
          const [was, is] = await Promise.all([tallyTable(source, table, tenantId), tallyTable(target, table, tenantId)]);
          if (was.rows !== rows || is.rows !== rows || was.digest !== is.digest) throw new Error('copy does not match its source');
          tables.push({ domain, table: table.table, rows });
        }
        step = `carry ${domain} sequences`;
        await raiseSequences(source, target, domain, sequences);
      }
      step = 'flip the placement';
      const flipped = await directory.flip(moving, to);
      router.remember(flipped);
      return { flipped, tables };
    } catch (error) {
      log({ level: 'error', event: 'tenant_move_failed', tenantId, step, error: errorCodeOf(error) });
      const settled = await this.settleFailedMove(tenantId, moving, target, plan, step === 'flip the placement');
      if (settled) return settled;
      if (error instanceof AppError && error.code !== 'INTERNAL') throw error;
      throw new AppError('INTERNAL', `Moving the organization failed (${step}); it stays on its ${describeLocation(from)} and keeps working. Nothing was lost.`, {
        cause: error,
      });
    } finally {
      release();
    }
  }

  /**
   * After a failure: if the flip did commit (its answer was lost), the move succeeded;
   * otherwise remove the partial copy and mark the placement active where it was. When
   * the outcome cannot be read, nothing is touched: the `moving` mark stays for the next
   * move command to settle, and requests are refused meanwhile rather than misrouted.
   */
  private async settleFailedMove(
    tenantId: string,
    moving: PlacementRecord | undefined,
    target: PhysicalDatabases,
    plan: DomainPlan[],
    flipAttempted: boolean,
  ): Promise<{ flipped: PlacementRecord; tables: MoveReport['tables'] } | null> {
    const { directory, router, log } = this.deps;
    router.forget(tenantId);
    if (!moving) return null; // not marked: nothing was touched
    try {
      const now = await directory.read(tenantId);
      if (flipAttempted && now.state === 'active' && now.version === moving.version + 1) {
        router.remember(now);
        return { flipped: now, tables: await this.rowsAt(now.location, tenantId) };
      }
      if (now.state === 'moving' && now.version === moving.version) {
        await clearOrg(target, plan, tenantId);
        router.remember(await directory.abort(now));
      }
    } catch (error) {
      log({ level: 'error', event: 'tenant_move_rollback_failed', tenantId, error: errorCodeOf(error) });
    }
    return null;
  }

  /** A move that stopped half-way in a process that is gone: remove its partial copy. */
  private async recover(record: PlacementRecord): Promise<PlacementRecord> {
    if (record.movingTo) {
      const target = await this.physical(record.movingTo);
      await clearOrg(target, await planOf(target), record.tenantId);
    }
    const settled = await this.deps.directory.abort(record);
    this.deps.log({ level: 'warn', event: 'tenant_move_recovered', tenantId: record.tenantId });
    this.deps.router.remember(settled);
    return settled;
  }

  /** Deletes the org's rows from its previous place; a default dedicated place is removed entirely. */
  private async cleanUp(record: PlacementRecord): Promise<PlacementRecord> {
    const { directory, deployments, router, options, log } = this.deps;
    const old = record.cleanupFrom;
    if (!old) return record;
    try {
      const dbs = await this.physical(old);
      const plan = await planOf(dbs);
      await clearOrg(dbs, plan, record.tenantId);
      for (const { tables } of plan) {
        for (const table of tables) {
          if ((await tallyTable(dbs, table, record.tenantId)).rows !== 0) throw new Error('rows left behind');
        }
      }
      const cleaned = await directory.cleaned(record);
      router.remember(cleaned);
      if (old.placement === 'dedicated') {
        const key = targetKey(old.target);
        const stillUsed =
          (await directory.otherUsersOf(record.tenantId, old.target)) > 0 ||
          (await router.routedTo((r) => r.location.placement === 'dedicated' && targetKey(r.location.target) === key));
        if (!stillUsed && isDefaultTarget(options, record.tenantId, old.target)) await deployments.destroy(old.target);
        else if (!stillUsed) await deployments.close(old.target);
      }
      return cleaned;
    } catch (error) {
      log({ level: 'error', event: 'tenant_move_cleanup_failed', tenantId: record.tenantId, error: errorCodeOf(error) });
      throw new AppError(
        'INTERNAL',
        `The organization works from its ${describeLocation(record.location)}, but its old copy could not be removed yet. Run the move command again to finish.`,
        { cause: error },
      );
    }
  }

  private async rowsAt(location: Location, tenantId: string): Promise<MoveReport['tables']> {
    const dbs = await this.physical(location);
    const tables: MoveReport['tables'] = [];
    for (const { domain, tables: domainTables } of await planOf(dbs)) {
      for (const table of domainTables) tables.push({ domain, table: table.table, rows: (await tallyTable(dbs, table, tenantId)).rows });
    }
    return tables;
  }

  private physical(location: Location): Promise<PhysicalDatabases> {
    return location.placement === 'shared' ? Promise.resolve(this.deps.shared) : this.deps.deployments.open(location.target);
  }
}

async function planOf(dbs: PhysicalDatabases): Promise<DomainPlan[]> {
  const plan: DomainPlan[] = [];
  for (const domain of PLACED_DOMAINS) plan.push({ domain, tables: await tenantTablesOf(dbs, domain), sequences: await sequencesOf(dbs, domain) });
  return plan;
}

/** The source's tables and sequences, after checking the target has the same tables of the same shape. */
async function planMove(source: PhysicalDatabases, target: PhysicalDatabases): Promise<DomainPlan[]> {
  const [from, to] = await Promise.all([planOf(source), planOf(target)]);
  const shapes = (plan: DomainPlan[]) => plan.flatMap((d) => d.tables.map((t) => `${d.domain}.${t.table}(${t.shape})`)).sort().join('\n');
  if (shapes(from) !== shapes(to)) throw new Error('source and target schemas differ');
  return from;
}

async function clearOrg(dbs: PhysicalDatabases, plan: DomainPlan[], tenantId: string): Promise<void> {
  for (const { domain, tables } of [...plan].reverse()) await deleteOrgRows(dbs, domain, tables, tenantId);
}
