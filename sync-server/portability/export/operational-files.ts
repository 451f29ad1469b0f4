import { join } from 'node:path';
import type { Domain } from '../../../shared/domains.ts';
import type { DatabaseSet } from '../../db/domain-db.ts';
import { csvLine, ExportFile, ndjsonLine } from './export-file.ts';
import { keysetPages } from './keyset-pages.ts';

/**
 * The org's operational data (set-up, people, audit trail) as plain files: CSV for flat
 * tables, NDJSON where a column holds a JSON document. Columns are listed one by one (never
 * `SELECT *`), so a column added later is not exported before someone documents it here,
 * and the README is generated from the same list.
 *
 * Never exported: the vault (configuration.vault_secrets, configuration.vault_data_keys:
 * sealed credentials and wrapped keys) and every other secret or sync-bookkeeping table
 * (sessions, password hashes, enrollment tokens, link codes, change feeds, mutation ledgers).
 */
export interface OperationalColumn {
  name: string;
  sql: string;
  description: string;
}

export interface OperationalTable {
  file: string;
  format: 'csv' | 'ndjson';
  domain: Domain;
  table: string;
  description: string;
  columns: readonly OperationalColumn[];
  /** Keyset: column names from `columns`, unique per org. */
  key: readonly string[];
}

const iso = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
const col = (name: string, description: string, sql = name): OperationalColumn => ({ name, sql, description });
const uuid = (name: string, description: string) => col(name, description, `${name}::text`);
const time = (name: string, description: string) => col(name, `${description} (ISO-8601, UTC)`, iso(name));
const date = (name: string, description: string) => col(name, `${description} (YYYY-MM-DD)`, `${name}::text`);

export const OPERATIONAL_TABLES: readonly OperationalTable[] = [
  {
    file: 'operational/practice_profile.csv', format: 'csv', domain: 'configuration', table: 'configuration.practice_profiles',
    description: 'The practice profile (at most one row). Credentials are never here: they live in the vault, which is not exported.',
    key: ['legal_name'],
    columns: [
      col('legal_name', 'Legal name of the practice'), col('npi', 'Organization NPI (10 digits), empty if none'), col('tax_id', 'Tax ID / EIN (9 digits), empty if none'),
      col('address_line1', 'Address line 1'), col('address_line2', 'Address line 2'), col('city', 'City'), col('region', 'State or region'),
      col('postal_code', 'Postal code'), col('country', 'Country (ISO 3166-1 alpha-2)'), col('phone', 'Phone'),
      col('version', 'Edit counter'), uuid('updated_by', 'Account id of the last editor'), time('updated_at', 'Last change'),
    ],
  },
  {
    file: 'operational/payer_contracts.csv', format: 'csv', domain: 'configuration', table: 'configuration.payer_contracts',
    description: 'Contracts with payers: which plan, which period, which fee schedule.',
    key: ['id'],
    columns: [
      uuid('id', 'Contract id'), col('payer_name', 'Payer'), col('plan_name', 'Plan'), date('effective_from', 'First day in force'),
      date('effective_to', 'Last day in force, empty if open-ended'), col('fee_schedule_ref', 'Fee schedule reference'),
      col('version', 'Edit counter'), uuid('updated_by', 'Account id of the last editor'), time('updated_at', 'Last change'),
    ],
  },
  {
    file: 'operational/agent_config.ndjson', format: 'ndjson', domain: 'configuration', table: 'configuration.agent_configs',
    description: 'The billing agent configuration (at most one line; absent while the org uses the defaults).',
    key: ['updated_at'],
    columns: [
      col('coding_rules', 'Coding rules (JSON object)'), col('auto_submit_max_amount', 'Claims up to this amount are submitted automatically', 'auto_submit_max_amount::text'),
      col('review_above_amount', 'Claims above this amount need review', 'review_above_amount::text'), col('max_days_to_submit', 'Days allowed to submit a claim'),
      col('denial_rate_alert_percent', 'Denial rate that raises an alert, percent', 'denial_rate_alert_percent::text'), col('communication', 'Patient communication settings (JSON object)'),
      col('version', 'Edit counter'), uuid('updated_by', 'Account id of the last editor'), time('updated_at', 'Last change'),
    ],
  },
  {
    file: 'operational/staff.csv', format: 'csv', domain: 'personnel', table: 'personnel.staff',
    description: 'Staff and practitioners (also in Practitioner.ndjson and PractitionerRole.ndjson).',
    key: ['id'],
    columns: [
      uuid('id', 'Staff id (= Practitioner id)'), col('display_name', 'Name as shown'), col('job_title', 'Job title'),
      col('is_practitioner', 'true for practitioners who see patients'), col('npi', 'Individual NPI, empty if none'), col('active', 'false once the person left'),
      uuid('user_id', 'Sign-in account linked to this person, empty if none'), col('version', 'Edit counter'), time('created_at', 'Created'), time('updated_at', 'Last change'),
    ],
  },
  {
    file: 'operational/staff_job_roles.csv', format: 'csv', domain: 'personnel', table: 'personnel.staff_job_roles',
    description: 'Job roles of each staff member (one row per role).',
    key: ['staff_id', 'job_role'],
    columns: [uuid('staff_id', 'Staff id'), col('job_role', 'Job role (physician, nurse, front_desk, …)')],
  },
  {
    file: 'operational/licences.csv', format: 'csv', domain: 'personnel', table: 'personnel.licences',
    description: 'Professional licences and certifications.',
    key: ['id'],
    columns: [
      uuid('id', 'Licence id'), uuid('staff_id', 'Staff id'), col('kind', 'state_licence, dea, board_certification, veterinary_licence or other'),
      col('number', 'Licence number'), col('jurisdiction', 'Issuing jurisdiction'), date('expires_on', 'Expiry'), time('created_at', 'Recorded'),
    ],
  },
  {
    file: 'operational/locations.csv', format: 'csv', domain: 'scheduling', table: 'scheduling.locations',
    description: 'Where appointments happen (also in Location.ndjson).',
    key: ['id'],
    columns: [
      uuid('id', 'Location id (= Location id in FHIR)'), col('name', 'Name'), col('kind', 'clinic, room, telehealth or external'), col('active', 'false when no longer used'),
      col('version', 'Edit counter'), time('created_at', 'Created'), time('updated_at', 'Last change'),
    ],
  },
  {
    file: 'operational/practitioner_schedules.csv', format: 'csv', domain: 'scheduling', table: 'scheduling.practitioner_schedules',
    description: "Practitioners' weekly working hours per location, from which the desk offers free slots.",
    key: ['id'],
    columns: [
      uuid('id', 'Schedule id'), uuid('practitioner_id', 'Staff id of the practitioner'), uuid('location_id', 'Location id'), col('weekday', 'ISO weekday, 1 = Monday … 7 = Sunday'),
      col('start_time', 'Start (HH:MM:SS, local clinic time)', 'start_time::text'), col('end_time', 'End (HH:MM:SS, local clinic time)', 'end_time::text'),
      col('slot_minutes', 'Length of one bookable slot'), date('valid_from', 'First day'), date('valid_to', 'Last day, empty if open-ended'),
      col('version', 'Edit counter'), time('updated_at', 'Last change'),
    ],
  },
  {
    file: 'operational/order_transitions.csv', format: 'csv', domain: 'clinical', table: 'clinical.order_transitions',
    description: 'Status history of every order (ServiceRequest.ndjson holds the current status).',
    key: ['id'],
    columns: [
      uuid('id', 'Transition id'), uuid('order_id', 'Order id (= ServiceRequest id)'), col('from_status', 'Status before, empty when placed'), col('to_status', 'Status after'),
      col('reason', 'Reason given, if any'), uuid('changed_by', 'Account id'), time('changed_at', 'When'),
    ],
  },
  {
    file: 'operational/audit_events.ndjson', format: 'ndjson', domain: 'audit', table: 'audit.events',
    description:
      "The org's audit trail in chain order: every access and change, who, from which device, outcome. Each entry's hash is SHA-256 over its columns and the previous entry's hash (see docs/isolation.md), so the chain can be re-verified from this file.",
    key: ['seq'],
    columns: [
      col('seq', 'Position in the chain (1, 2, …)', 'seq::text'), uuid('id', 'Entry id'), time('occurred_at', 'When'), uuid('actor_user_id', 'Account id of the caller, if any'),
      uuid('actor_session_id', 'Session id, if any'), uuid('actor_device_id', 'Device id, if any'), col('actor_role', 'Role of the caller'), col('action', 'Procedure or admin command'),
      col('kind', 'query, mutation, subscription, job, event or admin'), col('entity', 'Kind of record touched'), col('ids', 'Ids of the records touched'),
      col('outcome', 'ok, denied, refused or error'), col('error_code', 'Error code when not ok'), col('detail', 'Further facts (JSON object, no PHI)'),
      col('prev_hash', "Previous entry's hash"), col('hash', "This entry's hash"),
    ],
  },
];

/** Tables never exported, by name: the vault holds credentials (sealed) and their wrapped keys. */
export const NEVER_EXPORTED = ['configuration.vault_secrets', 'configuration.vault_data_keys'] as const;

export interface OperationalFileResult {
  file: string;
  format: 'csv' | 'ndjson';
  table: string;
  rows: number;
}

const PAGE = 250;

async function writeTable(databases: DatabaseSet, tenantId: string, outDir: string, table: OperationalTable): Promise<OperationalFileResult> {
  if ((NEVER_EXPORTED as readonly string[]).includes(table.table)) throw new Error(`refusing to export ${table.table}`);
  const file = new ExportFile(join(outDir, table.file), table.file);
  // One table, so the SELECT expressions need no qualifier; the key is qualified (t.) so that
  // ORDER BY means the stored column, not the text alias of the same name.
  const select = table.columns.map((column) => `${column.sql} AS "${column.name}"`).join(', ');
  try {
    if (table.format === 'csv') await file.line(csvLine(table.columns.map((column) => column.name)), false);
    const pages = keysetPages<Record<string, unknown>>(databases.domains[table.domain], tenantId, {
      select,
      from: `${table.table} t`,
      where: 't.tenant_id = $1',
      key: table.key.map((name) => ({ column: `t.${name}`, alias: name })),
      pageSize: PAGE,
    });
    for await (const rows of pages) {
      await file.rows(rows.map((row) => (table.format === 'csv' ? csvLine(table.columns.map((column) => row[column.name])) : ndjsonLine(row))));
    }
    await file.close();
  } catch (error) {
    file.abort();
    throw error;
  }
  return { file: table.file, format: table.format, table: table.table, rows: file.count };
}

export async function writeOperationalFiles(databases: DatabaseSet, tenantId: string, outDir: string): Promise<OperationalFileResult[]> {
  const results: OperationalFileResult[] = [];
  for (const table of OPERATIONAL_TABLES) results.push(await writeTable(databases, tenantId, outDir, table));
  return results;
}
