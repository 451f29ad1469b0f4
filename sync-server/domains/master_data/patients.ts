import { PATIENT_CORE_FIELDS, patientFieldsSchema } from '../../../shared/entities/patient.ts';
import type { Hlc } from '../../../shared/hlc.ts';
import type { Mutation } from '../../../shared/sync/mutation.ts';
import type { DomainDb } from '../../db/domain-db.ts';
import type { Sql } from '../../db/sql.ts';
import { FeedWriter } from '../../sync/feed-writer.ts';
import { mergeFields, stampAll } from '../../sync/lww.ts';
import { APPLIED, rejected, type Applier, type ApplyContext, type Outcome, type SyncDomainService } from '../../sync/outcome.ts';
import { CORE_COLUMNS, CORE_SELECT, splitPatientFields, type CoreField } from './patient-columns.ts';
import { writeLink } from './patient-links.ts';
import { createNewPatients } from './patient-batch-create.ts';
import { createPushedPatients } from './patient-push-at-once.ts';
import { readPatientChanges } from './patient-feed.ts';

/**
 * The one answer for every id this org may not touch: unknown, unlinked, another org's
 * patient, or removed. Saying the same thing in every case reveals nothing.
 */
const NOT_FOUND_REASON = 'No such patient in this organization.';
const notFound = (): Outcome => rejected('NOT_FOUND', NOT_FOUND_REASON);

interface LinkRow {
  mrn: string;
  linkHlc: Record<string, Hlc>;
  deleted: boolean;
}

interface CoreRow {
  givenName: string;
  familyName: string;
  birthDate: string;
  sex: string;
  phone: string;
  coreHlc: Record<string, Hlc>;
}

/** master_data: patients (core identity above the org + each org's link with its MRN). */
export class PatientService implements SyncDomainService {
  readonly domain = 'master_data' as const;
  readonly db: DomainDb;

  constructor(db: DomainDb) {
    this.db = db;
  }

  async prepare(): Promise<Applier> {
    const apply: Applier = (ctx, mutation) => (mutation.op === 'delete' ? this.unlink(ctx, mutation) : this.upsert(ctx, mutation));
    apply.batch = createNewPatients; // a replayed burst of new patients, set-based
    return apply;
  }

  readChanges = readPatientChanges;

  /** A push of new patients only: one statement (patient-push-at-once.ts). */
  readonly atOnce = (tenantId: string, deviceId: string, mutations: readonly Mutation[]): Promise<boolean> =>
    createPushedPatients(this.db, tenantId, deviceId, mutations);

  /**
   * Which of these ids are patients linked to the org (asked by scheduling, before its
   * transaction): one statement, master_data.linked_patient_ids (migration 007), which sets
   * the org for that statement only.
   */
  async linkedIds(tenantId: string, patientIds: readonly string[]): Promise<Set<string>> {
    if (patientIds.length === 0) return new Set();
    const rows = await this.db.appStatement<{ id: string }>(tenantId, 'SELECT id FROM master_data.linked_patient_ids($1, $2::uuid[])', [tenantId, [...patientIds]]);
    return new Set(rows.map((row) => row.id));
  }

  /** Links an existing patient into an org (admin; e.g. a patient registering at a second practice). */
  async link(tenantId: string, patientId: string, mrn: string, hlc: Hlc): Promise<void> {
    await this.db.withTenant(tenantId, async (sql) => {
      const feed = new FeedWriter('master_data', tenantId);
      await writeLink(sql, feed, tenantId, patientId, mrn, hlc);
      await feed.flush(sql);
    });
  }

  private async lockLink(sql: Sql, tenantId: string, id: string): Promise<LinkRow | null> {
    const rows = await sql.query<LinkRow>(
      `SELECT mrn, field_hlc AS "linkHlc", deleted FROM master_data.tenant_patients
       WHERE tenant_id = $1 AND patient_id = $2 FOR UPDATE`,
      [tenantId, id],
    );
    return rows[0] ?? null;
  }

  private async upsert(ctx: ApplyContext, mutation: Mutation): Promise<Outcome> {
    const link = await this.lockLink(ctx.sql, ctx.tenantId, mutation.id);
    if (!link) return this.create(ctx, mutation);
    if (link.deleted) return notFound();
    const parsed = patientFieldsSchema.partial().safeParse(mutation.fields);
    if (!parsed.success) return rejected('VALIDATION', 'Some patient fields are not valid.');
    const { core, link: linkFields } = splitPatientFields(parsed.data);

    if (Object.keys(core).length > 0) {
      const rows = await ctx.sql.query<CoreRow>(`SELECT ${CORE_SELECT} FROM master_data.patients p WHERE p.id = $1 FOR UPDATE`, [mutation.id]);
      const current = rows[0];
      if (!current) return notFound();
      const merged = mergeFields({ values: { ...current }, fieldHlc: current.coreHlc }, core, mutation.hlc, mutation.baseHlc);
      ctx.concurrent?.push(...merged.concurrent);
      if (merged.won.length > 0) {
        const won = merged.won as CoreField[];
        const sets = won.map((field, i) => `${CORE_COLUMNS[field]} = $${i + 3}`);
        await ctx.sql.execute(
          `UPDATE master_data.patients SET ${sets.join(', ')}, field_hlc = $2::jsonb, version = version + 1, updated_at = now() WHERE id = $1`,
          [mutation.id, JSON.stringify(merged.fieldHlc), ...won.map((field) => merged.values[field])],
        );
        ctx.feed.touch('patient', mutation.id);
        ctx.feed.touchPatientCore(mutation.id);
      }
    }
    if (linkFields.mrn !== undefined) {
      const merged = mergeFields({ values: { mrn: link.mrn }, fieldHlc: link.linkHlc }, linkFields, mutation.hlc, mutation.baseHlc);
      ctx.concurrent?.push(...merged.concurrent);
      if (merged.won.length > 0) {
        await ctx.sql.execute(
          `UPDATE master_data.tenant_patients SET mrn = $3, field_hlc = $4::jsonb, version = version + 1, updated_at = now()
           WHERE tenant_id = $1 AND patient_id = $2`,
          [ctx.tenantId, mutation.id, merged.values.mrn, JSON.stringify(merged.fieldHlc)],
        );
        ctx.feed.touch('patient', mutation.id);
      }
    }
    return APPLIED;
  }

  private async create(ctx: ApplyContext, mutation: Mutation): Promise<Outcome> {
    const parsed = patientFieldsSchema.safeParse(mutation.fields);
    if (!parsed.success) {
      // A partial update of an id this org does not have is indistinguishable from a bad id.
      return Object.keys(mutation.fields).length < Object.keys(patientFieldsSchema.shape).length
        ? notFound()
        : rejected('VALIDATION', 'A new patient needs every field.');
    }
    const fields = parsed.data;
    // The id may already belong to a patient of another org (or a concurrent create of it
    // committed first): then nothing is inserted, and it is answered exactly like a bad id.
    // ON CONFLICT DO NOTHING has no conflict target on purpose: a target, or a RETURNING
    // clause, needs SELECT rights on the row, which puts patients' SELECT policy (a link of
    // this org) on the new row and refuses it, since its link comes only in the next
    // statement. Without either, the INSERT policy alone applies, and any unique violation
    // (the primary key is the table's only unique index) comes back as 0 rows, as the
    // savepoint around a plain INSERT used to turn 23505 into notFound: 2 round trips, not 4.
    const inserted = await ctx.sql.execute(
      `INSERT INTO master_data.patients (id, given_name, family_name, birth_date, sex, phone, field_hlc)
       VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb) ON CONFLICT DO NOTHING`,
      [mutation.id, fields.givenName, fields.familyName, fields.birthDate, fields.sex, fields.phone, JSON.stringify(stampAll(PATIENT_CORE_FIELDS, mutation.hlc))],
    );
    if (inserted === 0) return notFound();
    await ctx.sql.execute(
      'INSERT INTO master_data.tenant_patients (tenant_id, patient_id, mrn, field_hlc) VALUES ($1, $2, $3, $4::jsonb)',
      [ctx.tenantId, mutation.id, fields.mrn, JSON.stringify({ mrn: mutation.hlc })],
    );
    ctx.feed.touch('patient', mutation.id);
    return APPLIED;
  }

  /** Deleting a patient removes it from this org only; the core identity stays for other orgs. */
  private async unlink(ctx: ApplyContext, mutation: Mutation): Promise<Outcome> {
    const link = await this.lockLink(ctx.sql, ctx.tenantId, mutation.id);
    if (!link) return notFound();
    if (link.deleted) return APPLIED;
    await ctx.sql.execute(
      `UPDATE master_data.tenant_patients SET deleted = true, version = version + 1, updated_at = now()
       WHERE tenant_id = $1 AND patient_id = $2`,
      [ctx.tenantId, mutation.id],
    );
    ctx.feed.touch('patient', mutation.id);
    return APPLIED;
  }
}
