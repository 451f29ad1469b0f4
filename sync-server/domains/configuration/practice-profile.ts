import type { PracticeProfileView, ProfileUpdateInput } from '../../../shared/api/configuration.ts';
import type { DomainDb } from '../../db/domain-db.ts';
import { assertVersion } from '../lost-update.ts';
import { NO_POKE, writeWithFeed, type FeedNotify } from '../../sync/feed-transaction.ts';
import { isoTime } from '../../db/timestamps.ts';

const PROFILE_SELECT = `legal_name AS "legalName", npi, tax_id AS "taxId", address_line1 AS "addressLine1",
  address_line2 AS "addressLine2", city, region, postal_code AS "postalCode", country, phone, version, updated_at AS "updatedAt"`;

type ProfileRow = Omit<PracticeProfileView, 'updatedAt' | 'taxIdMasked'> & { updatedAt: Date };

/**
 * The Tax ID as a caller may see it: the full EIN (NN-NNNNNNN) for those who may edit the
 * profile, otherwise only its last four digits (minimum necessary).
 */
export function presentTaxId(digits: string | null, full: boolean): string | null {
  if (digits === null) return null;
  return full ? `${digits.slice(0, 2)}-${digits.slice(2)}` : `**-***${digits.slice(-4)}`;
}

/** configuration: the org's practice profile, one row per org. */
export class PracticeProfileService {
  private readonly db: DomainDb;
  private readonly notify: FeedNotify;

  constructor(db: DomainDb, notify: FeedNotify = NO_POKE) {
    this.db = db;
    this.notify = notify;
  }

  /** Null until an admin has saved the profile once. */
  async get(tenantId: string, showTaxId: boolean): Promise<PracticeProfileView | null> {
    const rows = await this.db.withTenant(tenantId, (sql) =>
      sql.query<ProfileRow>(`SELECT ${PROFILE_SELECT} FROM configuration.practice_profiles WHERE tenant_id = $1`, [tenantId]),
    );
    return rows[0] ? view(rows[0], showTaxId) : null;
  }

  /** Replaces the whole profile (only callers who may see the full Tax ID get here). */
  async update(tenantId: string, userId: string, input: ProfileUpdateInput): Promise<PracticeProfileView> {
    // The feed carries the profile without its Tax ID (configuration-feed.ts).
    const row = await writeWithFeed(this.db, 'configuration', tenantId, this.notify, async (sql, feed) => {
      feed.touch('practice_profile', tenantId);
      const current = await sql.query<{ version: number }>('SELECT version FROM configuration.practice_profiles WHERE tenant_id = $1 FOR UPDATE', [tenantId]);
      assertVersion('practice profile', current[0]?.version ?? 0, input.expectedVersion);
      const values = [input.legalName, input.npi, input.taxId, input.addressLine1, input.addressLine2, input.city, input.region, input.postalCode, input.country, input.phone];
      const rows = await sql.query<ProfileRow>(
        `INSERT INTO configuration.practice_profiles AS p
           (tenant_id, updated_by, legal_name, npi, tax_id, address_line1, address_line2, city, region, postal_code, country, phone)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
         ON CONFLICT (tenant_id) DO UPDATE SET
           updated_by = EXCLUDED.updated_by, legal_name = EXCLUDED.legal_name, npi = EXCLUDED.npi, tax_id = EXCLUDED.tax_id,
           address_line1 = EXCLUDED.address_line1, address_line2 = EXCLUDED.address_line2, city = EXCLUDED.city,
           region = EXCLUDED.region, postal_code = EXCLUDED.postal_code, country = EXCLUDED.country, phone = EXCLUDED.phone,
           version = p.version + 1, updated_at = now()
         RETURNING ${PROFILE_SELECT}`,
        [tenantId, userId, ...values],
      );
      return rows[0]!;
    });
    return view(row, true);
  }
}

function view(row: ProfileRow, showTaxId: boolean): PracticeProfileView {
  return { ...row, taxId: presentTaxId(row.taxId, showTaxId), taxIdMasked: row.taxId !== null && !showTaxId, updatedAt: isoTime(row.updatedAt) };
}
