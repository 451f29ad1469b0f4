import type { LocationCreateInput, LocationUpdateInput } from '../../../shared/api/scheduling.ts';
import { AppError } from '../../../shared/errors.ts';
import { uuidv7 } from '../../../shared/ids.ts';
import type { DomainDb } from '../../db/domain-db.ts';
import type { Sql } from '../../db/sql.ts';
import { serverRowFeed } from '../../sync/feed-reader.ts';
import { NO_POKE, writeWithFeed, type FeedNotify } from '../../sync/feed-transaction.ts';

export interface LocationView {
  id: string;
  name: string;
  kind: string;
  active: boolean;
  version: number;
}

const SELECT = 'l.id::text AS id, l.name, l.kind, l.active, l.version';

export const locationNotFound = () => new AppError('NOT_FOUND', 'No such location in this organization.');
const nameTaken = () => new AppError('CONFLICT', 'This organization already has a location with that name.');

/** The org's location, or null (another org's id reads exactly like an unknown one). */
export async function findLocation(sql: Sql, tenantId: string, id: string, lock = false): Promise<LocationView | null> {
  const rows = await sql.query<LocationView>(
    `SELECT ${SELECT} FROM scheduling.locations l WHERE l.tenant_id = $1 AND l.id = $2${lock ? ' FOR UPDATE' : ''}`,
    [tenantId, id],
  );
  return rows[0] ?? null;
}

/** A location that new schedules and bookings may use: the org's own and active. */
export async function usableLocation(sql: Sql, tenantId: string, id: string): Promise<LocationView> {
  const location = await findLocation(sql, tenantId, id);
  if (!location) throw locationNotFound();
  if (!location.active) throw new AppError('CONFLICT', 'This location is inactive. Reactivate it or choose another one.');
  return location;
}

/** The org's locations as workstations pull them (scheduling feed). */
export const readLocationChanges = serverRowFeed<Pick<LocationView, 'name' | 'kind' | 'active'>>({
  domain: 'scheduling',
  entity: 'location',
  from: 'scheduling.locations t',
  on: 't.tenant_id = c.tenant_id AND t.id = c.entity_id',
  select: 't.name, t.kind, t.active',
  toFields: (row) => ({ name: row.name, kind: row.kind, active: row.active }),
});

/** scheduling: where appointments happen (clinics, rooms, telehealth). Every change goes into the scheduling feed. */
export class LocationService {
  private readonly db: DomainDb;
  private readonly notify: FeedNotify;

  constructor(db: DomainDb, notify: FeedNotify = NO_POKE) {
    this.db = db;
    this.notify = notify;
  }

  list(tenantId: string, includeInactive: boolean): Promise<LocationView[]> {
    return this.db.withTenant(tenantId, (sql) =>
      sql.query<LocationView>(`SELECT ${SELECT} FROM scheduling.locations l WHERE l.tenant_id = $1 AND (l.active OR $2) ORDER BY l.name, l.id`, [
        tenantId,
        includeInactive,
      ]),
    );
  }

  async create(tenantId: string, input: LocationCreateInput): Promise<LocationView> {
    const rows = await writeWithFeed(this.db, 'scheduling', tenantId, this.notify, async (sql, feed) => {
      const inserted = await sql.query<LocationView>(
        `INSERT INTO scheduling.locations AS l (tenant_id, id, name, kind, active) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (tenant_id, name) DO NOTHING RETURNING ${SELECT}`,
        [tenantId, uuidv7(), input.name, input.kind, input.active],
      );
      if (inserted[0]) feed.touch('location', inserted[0].id);
      return inserted;
    });
    if (!rows[0]) throw nameTaken();
    return rows[0];
  }

  update(tenantId: string, input: LocationUpdateInput): Promise<LocationView> {
    return writeWithFeed(this.db, 'scheduling', tenantId, this.notify, async (sql, feed) => {
      const current = await findLocation(sql, tenantId, input.id, true);
      if (!current) throw locationNotFound();
      // The name is unique per org; a clash (even with a concurrent rename) is the org's own business.
      const rows = await sql
        .query<LocationView>(
          `UPDATE scheduling.locations AS l SET name = $3, kind = $4, active = $5, version = l.version + 1, updated_at = now()
           WHERE l.tenant_id = $1 AND l.id = $2 RETURNING ${SELECT}`,
          [tenantId, input.id, input.name ?? current.name, input.kind ?? current.kind, input.active ?? current.active],
        )
        .catch((error: unknown) => {
          throw (error as { code?: unknown }).code === '23505' ? nameTaken() : error;
        });
      feed.touch('location', input.id);
      return rows[0]!;
    });
  }
}
