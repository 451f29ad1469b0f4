import { setTimeout as sleep } from 'node:timers/promises';
import type { LinkByCodeInput, LinkExistingInput } from '../../../shared/api/patients.ts';
import { AppError } from '../../../shared/errors.ts';
import type { HybridClock } from '../../../shared/hlc.ts';
import { uuidv7 } from '../../../shared/ids.ts';
import type { DomainDb } from '../../db/domain-db.ts';
import type { Sql } from '../../db/sql.ts';
import type { Logger } from '../../log.ts';
import { FeedWriter } from '../../sync/feed-writer.ts';
import { recordFailedLink, underLinkLimit, type LinkMethod } from './link-attempts.ts';
import { hashLinkCode, newLinkCode } from './link-codes.ts';
import { writeLink } from './patient-links.ts';
import { lockLiveLink, patientNotFound, readPatientDetail, type PatientDetail } from './patient-views.ts';
import { isoTime } from '../../db/timestamps.ts';

/** Tells the org's workstations (after commit) that their feed moved. */
export type NotifyTenants = (tenantIds: readonly string[]) => void;

export interface PatientLinkingDeps {
  clock: HybridClock;
  notify: NotifyTenants;
  log: Logger;
  /** Every "no match" answer takes at least this long, whatever the database did. */
  noMatchFloorMs?: number;
}

/**
 * The single answer for every failed link: unknown identifier, a wrong name or birth date,
 * an unknown, used, expired or revoked code. Same code, same sentence, same minimum time.
 */
const NO_MATCH = 'No patient matched these details. Please check them with the patient and try again.';
const DEFAULT_NO_MATCH_FLOOR_MS = 300;

type Attempt =
  | { kind: 'linked'; detail: PatientDetail; touched: string[] }
  | { kind: 'no_match' }
  | { kind: 'rate_limited' }
  | { kind: 'already_linked' };

/**
 * Linking an existing patient identity into a second org, on strong evidence only, and
 * issuing the patient-held codes that serve as such evidence. The cross-org matching runs
 * in two narrow SECURITY DEFINER functions (master_data 003 migration) that return only a
 * patient id on a full match; this class never sees another org's rows.
 */
export class PatientLinking {
  private readonly db: DomainDb;
  private readonly deps: PatientLinkingDeps;

  constructor(db: DomainDb, deps: PatientLinkingDeps) {
    this.db = db;
    this.deps = deps;
  }

  /** A new one-time code for a patient of this org; earlier unused codes of this org for the patient stop working. */
  async issueCode(tenantId: string, issuedBy: string, patientId: string, ttlHours: number): Promise<{ codeId: string; code: string; expiresAt: string }> {
    const { code, hash } = newLinkCode();
    const codeId = uuidv7();
    const expiresAt = await this.db.withTenant(tenantId, async (sql) => {
      if (!(await lockLiveLink(sql, tenantId, patientId))) return null;
      await sql.execute(
        `UPDATE master_data.link_codes SET revoked_at = now()
         WHERE tenant_id = $1 AND patient_id = $2 AND used_at IS NULL AND revoked_at IS NULL`,
        [tenantId, patientId],
      );
      const rows = await sql.query<{ expiresAt: Date }>(
        `INSERT INTO master_data.link_codes (tenant_id, id, patient_id, code_hash, issued_by, expires_at)
         VALUES ($1, $2, $3, $4, $5, now() + make_interval(hours => $6::int)) RETURNING expires_at AS "expiresAt"`,
        [tenantId, codeId, patientId, hash, issuedBy, ttlHours],
      );
      return rows[0]!.expiresAt;
    });
    if (!expiresAt) throw patientNotFound();
    this.deps.log({ level: 'info', event: 'patient_link_code_issued', tenantId, patientId, codeId });
    return { codeId, code, expiresAt: isoTime(expiresAt) };
  }

  /** Evidence (a): identifier + given name + family name + birth date; the identifier is then recorded for this org too. */
  linkExisting(tenantId: string, input: LinkExistingInput): Promise<PatientDetail> {
    return this.link(tenantId, 'identifier', input.mrn, {
      match: async (sql) => {
        const rows = await sql.query<{ id: string | null }>(
          'SELECT master_data.match_patient_by_identifier($1, $2, $3, $4, $5::date)::text AS id',
          [input.system, input.value, input.givenName, input.familyName, input.birthDate],
        );
        return rows[0]?.id ?? null;
      },
      afterLink: async (sql, patientId) => {
        await sql.execute(
          `INSERT INTO master_data.patient_identifiers (tenant_id, patient_id, system, value) VALUES ($1, $2, $3, $4)
           ON CONFLICT (tenant_id, patient_id, system, value) DO NOTHING`,
          [tenantId, patientId, input.system, input.value],
        );
      },
    });
  }

  /** Evidence (b): a patient-held link code + birth date; the code is used up. */
  linkByCode(tenantId: string, input: LinkByCodeInput): Promise<PatientDetail> {
    return this.link(tenantId, 'code', input.mrn, {
      match: async (sql) => {
        const rows = await sql.query<{ id: string | null }>('SELECT master_data.redeem_link_code($1, $2::date)::text AS id', [
          hashLinkCode(input.code),
          input.birthDate,
        ]);
        return rows[0]?.id ?? null;
      },
    });
  }

  private async link(
    tenantId: string,
    method: LinkMethod,
    mrn: string,
    steps: { match: (sql: Sql) => Promise<string | null>; afterLink?: (sql: Sql, patientId: string) => Promise<void> },
  ): Promise<PatientDetail> {
    const started = Date.now();
    // One transaction: the rate-limit check, the match, the failure record or the link.
    const attempt = await this.db.withTenant(tenantId, async (sql): Promise<Attempt> => {
      if (!(await underLinkLimit(sql, tenantId))) return { kind: 'rate_limited' };
      const patientId = await steps.match(sql);
      if (patientId === null) {
        await recordFailedLink(sql, tenantId, method);
        return { kind: 'no_match' };
      }
      if (await lockLiveLink(sql, tenantId, patientId)) return { kind: 'already_linked' };
      const feed = new FeedWriter('master_data', tenantId);
      await writeLink(sql, feed, tenantId, patientId, mrn, this.deps.clock.tick());
      await steps.afterLink?.(sql, patientId);
      const touched = await feed.flush(sql);
      const detail = await readPatientDetail(sql, tenantId, patientId);
      return { kind: 'linked', detail: detail!, touched };
    });

    switch (attempt.kind) {
      case 'linked':
        this.deps.notify(attempt.touched);
        this.deps.log({ level: 'info', event: 'patient_linked', tenantId, patientId: attempt.detail.id, method });
        return attempt.detail;
      case 'already_linked':
        throw new AppError('CONFLICT', 'This patient is already registered in this organization.');
      case 'rate_limited':
        this.deps.log({ level: 'warn', event: 'patient_link_rate_limited', tenantId, method });
        throw new AppError('RATE_LIMITED', 'Too many unmatched patient links in this organization. Please try again in an hour.');
      case 'no_match': {
        this.deps.log({ level: 'info', event: 'patient_link_no_match', tenantId, method });
        const wait = started + (this.deps.noMatchFloorMs ?? DEFAULT_NO_MATCH_FLOOR_MS) - Date.now();
        if (wait > 0) await sleep(wait);
        throw new AppError('NOT_FOUND', NO_MATCH);
      }
    }
  }
}
