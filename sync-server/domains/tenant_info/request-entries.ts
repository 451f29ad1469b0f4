import type { DomainDb } from '../../db/domain-db.ts';
import { InFlightBatch } from '../../in-flight-batch.ts';
import type { ActiveSession } from './sessions.ts';
import { TENANT_COLUMNS, type Tenant } from './tenants.ts';

/** Calls' entries per statement at most (their org ids and token hashes in one jsonb parameter). */
const MAX_CALLS_PER_STATEMENT = 64;

/** One text whatever the batch, so PostgreSQL prepares it once per connection (statement-names.ts). */
const REQUEST_ENTRIES_SQL =
  // The org's row comes back as one composite column; TENANT_COLUMNS reads it as readTenant reads the table.
  `SELECT e.i, ${TENANT_COLUMNS}, e."sessionId", e."tenantId", e."userId", e."deviceId", e.role
   FROM tenant_info.request_entries($1::jsonb) e CROSS JOIN LATERAL (SELECT (e.tenant).*) AS tenants`;

/** What request entry reads for one call: the org's row, and the live session of its token (each null when there is none). */
export interface EntryReading {
  tenant: Tenant | null;
  session: ActiveSession | null;
}

interface EntryCall {
  tenantId: string;
  /** The token's hash, or null (no token, or one of another org: matches no session). */
  tokenHash: string | null;
}

type EntryRow = { i: number } & Tenant & { [K in keyof ActiveSession]: ActiveSession[K] | null };

/**
 * Request entry's reads (the org and the token's session) of concurrent calls in ONE
 * statement (tenant_info.request_entries, migration 010, which runs request_entry of
 * migration 007 per call, each under its own org): every call to the server pays for
 * them before anything else, so under load each paid a round trip of its own. Calls
 * arriving while one statement is in flight go together in the next (in-flight-batch.ts);
 * a quiet server sends each at once. Answers are matched to calls by position only.
 *
 * tenant_info is a control-plane domain on the shared databases (never placed), so the
 * statement is one and atomic: a call without a row is an org that does not exist.
 */
export class RequestEntries {
  private readonly db: DomainDb;
  private readonly batch: InFlightBatch<EntryCall, EntryReading>;

  constructor(db: DomainDb) {
    this.db = db;
    this.batch = new InFlightBatch((calls) => this.readAll(calls), MAX_CALLS_PER_STATEMENT);
  }

  entry(tenantId: string, tokenHash: string | null): Promise<EntryReading> {
    return this.batch.add({ tenantId, tokenHash });
  }

  private async readAll(calls: readonly EntryCall[]): Promise<EntryReading[]> {
    const rows = await this.db.appStatementAcross<EntryRow>(
      calls.map((call) => call.tenantId),
      () => ({ text: REQUEST_ENTRIES_SQL, params: [JSON.stringify(calls.map((call, i) => ({ i, tenant_id: call.tenantId, token_hash: call.tokenHash })))] }),
    );
    const byCall = new Map(rows.map((row) => [row.i, row]));
    return calls.map((_, i) => readingOf(byCall.get(i)));
  }
}

function readingOf(row: EntryRow | undefined): EntryReading {
  if (!row) return { tenant: null, session: null };
  const { i: _position, sessionId, tenantId, userId, deviceId, role, ...tenant } = row;
  const session = sessionId !== null && tenantId !== null && userId !== null && deviceId !== null && role !== null ? { sessionId, tenantId, userId, deviceId, role } : null;
  return { tenant, session };
}
