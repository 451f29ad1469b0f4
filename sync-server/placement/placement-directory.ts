import { AppError } from '../../shared/errors.ts';
import type { DomainDb } from '../db/domain-db.ts';
import type { Sql } from '../db/sql.ts';
import { SHARED, targetKey, type DedicatedTarget, type Location } from './placement-target.ts';

/** One org's row of tenant_info.placements (an org without a row is shared, version 0). */
export interface PlacementRecord {
  tenantId: string;
  location: Location;
  state: 'active' | 'moving';
  /** Set while moving: where the copy goes. */
  movingTo: Location | null;
  /** A previous location whose copy of the org's rows is still to be deleted. */
  cleanupFrom: Location | null;
  version: number;
}

interface Row {
  placement: 'shared' | 'dedicated';
  target: DedicatedTarget | null;
  state: 'active' | 'moving';
  moving_to: Location | null;
  cleanup_from: Location | null;
  version: number;
}

const SELECT = 'SELECT placement, target, state, moving_to, cleanup_from, version FROM tenant_info.placements';

const CHANGED_MEANWHILE = "The organization's placement changed while this command ran; nothing was moved. Run it again.";

/**
 * The placement directory in tenant_info. Routing must find an org's data before any
 * tenant context exists, so every read and write here is explicit system access.
 * Every update names the version it read (optimistic concurrency): two movers cannot
 * both flip one org.
 */
export class PlacementDirectory {
  private readonly db: DomainDb;

  constructor(db: DomainDb) {
    this.db = db;
  }

  async read(tenantId: string): Promise<PlacementRecord> {
    const rows = await this.db.system('placement: route org', (sql) => sql.query<Row>(`${SELECT} WHERE tenant_id = $1`, [tenantId]));
    return recordOf(tenantId, rows[0]);
  }

  async tenantExists(tenantId: string): Promise<boolean> {
    const rows = await this.db.system('placement: check org', (sql) => sql.query('SELECT 1 FROM tenant_info.tenants WHERE id = $1', [tenantId]));
    return rows.length > 0;
  }

  /** Other orgs whose data is at, moving to, or still being removed from this target. */
  async otherUsersOf(tenantId: string, target: DedicatedTarget): Promise<number> {
    const rows = await this.db.system('placement: find users of a target', (sql) =>
      sql.query<{ placement: string; target: DedicatedTarget | null; moving_to: Location | null; cleanup_from: Location | null }>(
        "SELECT placement, target, moving_to, cleanup_from FROM tenant_info.placements WHERE tenant_id <> $1 AND (placement = 'dedicated' OR moving_to IS NOT NULL OR cleanup_from IS NOT NULL)",
        [tenantId],
      ),
    );
    const key = targetKey(target);
    const uses = (location: Location | null) => location?.placement === 'dedicated' && targetKey(location.target) === key;
    return rows.filter((row) => (row.target !== null && targetKey(row.target) === key) || uses(row.moving_to) || uses(row.cleanup_from)).length;
  }

  markMoving(record: PlacementRecord, to: Location): Promise<PlacementRecord> {
    return this.write(record, { ...record, state: 'moving', movingTo: to });
  }

  /** The flip: the org's data is now at `to`; the old location is left for cleanup. */
  flip(record: PlacementRecord, to: Location): Promise<PlacementRecord> {
    return this.write(record, { ...record, location: to, state: 'active', movingTo: null, cleanupFrom: record.location });
  }

  /** A move that did not complete: back to active at the location it never left. */
  abort(record: PlacementRecord): Promise<PlacementRecord> {
    return this.write(record, { ...record, state: 'active', movingTo: null });
  }

  cleaned(record: PlacementRecord): Promise<PlacementRecord> {
    return this.write(record, { ...record, cleanupFrom: null });
  }

  private async write(expected: PlacementRecord, next: PlacementRecord): Promise<PlacementRecord> {
    const target = next.location.placement === 'dedicated' ? next.location.target : null;
    const values = [
      expected.tenantId,
      next.location.placement,
      target === null ? null : JSON.stringify(target),
      next.state,
      next.movingTo === null ? null : JSON.stringify(next.movingTo),
      next.cleanupFrom === null ? null : JSON.stringify(next.cleanupFrom),
      expected.version,
    ];
    const rows = await this.db.system('placement: update org placement', (sql: Sql) =>
      expected.version === 0
        ? sql.query<Row>(
            `INSERT INTO tenant_info.placements (tenant_id, placement, target, state, moving_to, cleanup_from, version)
             VALUES ($1, $2, $3::jsonb, $4, $5::jsonb, $6::jsonb, $7 + 1)
             ON CONFLICT (tenant_id) DO NOTHING
             RETURNING placement, target, state, moving_to, cleanup_from, version`,
            values,
          )
        : sql.query<Row>(
            `UPDATE tenant_info.placements
             SET placement = $2, target = $3::jsonb, state = $4, moving_to = $5::jsonb, cleanup_from = $6::jsonb,
                 version = version + 1, updated_at = now()
             WHERE tenant_id = $1 AND version = $7
             RETURNING placement, target, state, moving_to, cleanup_from, version`,
            values,
          ),
    );
    if (!rows[0]) throw new AppError('CONFLICT', CHANGED_MEANWHILE);
    return recordOf(expected.tenantId, rows[0]);
  }
}

function recordOf(tenantId: string, row: Row | undefined): PlacementRecord {
  if (!row) return { tenantId, location: SHARED, state: 'active', movingTo: null, cleanupFrom: null, version: 0 };
  return {
    tenantId,
    location: row.placement === 'dedicated' && row.target ? { placement: 'dedicated', target: row.target } : SHARED,
    state: row.state,
    movingTo: row.moving_to,
    cleanupFrom: row.cleanup_from,
    version: row.version,
  };
}
