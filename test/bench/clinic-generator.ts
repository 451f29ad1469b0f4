import { PATIENT_CORE_FIELDS } from '../../shared/entities/patient.ts';
import type { SyncedDomain } from '../../shared/domains.ts';
import { ENTITY_CATALOG, type EntityName } from '../../shared/entities/catalog.ts';
import { formatHlc } from '../../shared/hlc.ts';
import type { Sql } from '../../sync-server/db/sql.ts';
import type { SyncServerHandle } from '../../sync-server/server.ts';
import { stampAll } from '../../sync-server/sync/lww.ts';

/**
 * A realistic clinic for the sync bench, generated INSIDE the server's databases by
 * set-based SQL (generate_series), straight into the domain tables and their change feeds:
 * no row-by-row API calls and no megabytes of JSON through the driver, so even the full
 * 600k-row clinic loads in seconds on PGlite.
 *
 * Deterministic: every value is a function of (seed, entity, row number) through md5 /
 * hashtextextended, so one seed gives the same clinic on both engines and on every run.
 * Ids are UUIDv7-shaped (time part = a fixed epoch + row number), so they arrive in
 * creation order as real ones would. One seed per deployment: patient identities live
 * above the org, so two orgs loaded with the same seed would collide.
 */
export interface ClinicSize {
  patients: number;
  appointments: number;
  encounters: number;
  notes: number;
  orders: number;
}

export const CLINIC_FULL: ClinicSize = { patients: 50_000, appointments: 250_000, encounters: 100_000, notes: 100_000, orders: 100_000 };

/** The clinic at `1 / divisor` of full size (`--quick` is a tenth). */
export function clinicAtScale(divisor: number): ClinicSize {
  const scaled = (n: number) => Math.max(1, Math.round(n / divisor));
  return {
    patients: scaled(CLINIC_FULL.patients),
    appointments: scaled(CLINIC_FULL.appointments),
    encounters: scaled(CLINIC_FULL.encounters),
    notes: scaled(CLINIC_FULL.notes),
    orders: scaled(CLINIC_FULL.orders),
  };
}

/** What one loader put into one entity's table and feed. */
export interface LoadedEntity {
  entity: EntityName;
  domain: SyncedDomain;
  rows: number;
}

/** Rows per INSERT statement (and transaction): bounded memory on PGlite, few round trips. */
const CHUNK = 25_000;
/** 2025-01-01T00:00:00Z: the time part of every generated id starts here. */
const ID_EPOCH_MS = 1_735_689_600_000;

interface GeneratorContext {
  seed: string;
  size: ClinicSize;
  hlc: string;
}

/**
 * One entity of the clinic: how many rows, and the statements that write rows [from, to)
 * into its table and its domain's `changes` feed. Adding an entity is adding one
 * EntityLoader to LOADERS.
 */
interface EntityLoader {
  entity: EntityName;
  domain: SyncedDomain;
  rows(size: ClinicSize): number;
  /**
   * Run inside a tenant transaction of the entity's domain, rows {from} to {to} (exclusive);
   * placeholders {seed}, {from}, {to}, {tenant}, {hlc} (the field HLC JSON) are bound by `bind`.
   */
  statements(context: GeneratorContext): string[];
}

/** A deterministic UUIDv7-shaped id for row `row` of `kind` (SQL expression). */
function generatedIdSql(kind: string, row: string): string {
  const hash = `md5({seed}::text || ':${kind}:' || ${row})`;
  return `(lpad(to_hex(${ID_EPOCH_MS}::bigint + ${row}), 12, '0') || '7' || substr(${hash}, 1, 3) || '8' || substr(${hash}, 4, 15))::uuid`;
}

/** A deterministic integer in [0, n) for row `row` of `kind`, field `tag` (SQL expression). */
function pickSql(kind: string, tag: string, row: string, n: number): string {
  return `(abs(hashtextextended({seed}::text || ':${kind}:${tag}:' || ${row}, 0)) % ${n})::int`;
}

function oneOf(kind: string, tag: string, row: string, values: readonly string[]): string {
  const array = `ARRAY[${values.map((value) => `'${value.replaceAll("'", "''")}'`).join(', ')}]::text[]`;
  return `(${array})[1 + ${pickSql(kind, tag, row, values.length)}]`;
}

/** The feed rows of the chunk, in creation order (seq order = the order rows were made). */
function feedSql(domain: SyncedDomain, entity: EntityName, kind: string): string {
  return `INSERT INTO ${domain}.changes (tenant_id, entity, entity_id, seq)
    SELECT {tenant}::uuid, '${entity}', ${generatedIdSql(kind, 'i')}, nextval('${domain}.change_seq')
    FROM generate_series({from}::int, {to}::int - 1) AS i ORDER BY i`;
}

const GIVEN = ['Ada', 'Amir', 'Ana', 'Ben', 'Bea', 'Chloe', 'Carlos', 'Dev', 'Dana', 'Emma', 'Eli', 'Farid', 'Fatima', 'Grace', 'Gus', 'Hugo', 'Hana', 'Iris', 'Ivan', 'Jon', 'Jia', 'Kofi', 'Kira', 'Liam', 'Lena', 'Mia', 'Mateo', 'Noor', 'Nils', 'Olga', 'Omar', 'Priya', 'Paul', 'Quinn', 'Rosa', 'Ravi', 'Sara', 'Sven', 'Tara', 'Yusuf'];
const FAMILY = ['Adams', 'Baker', 'Chen', 'Diaz', 'Evans', 'Fischer', 'Garcia', 'Haddad', 'Ivanova', 'Jensen', 'Kim', 'Lopez', 'Martin', 'Nguyen', 'Okafor', 'Patel', 'Quist', 'Rossi', 'Singh', 'Tanaka', 'Ueda', 'Varga', 'Wong', 'Xu', 'Young', 'Zhang', "O'Neill", 'Moreau', 'Novak', 'Silva'];
const REASONS = ['Follow-up', 'Annual check-up', 'New complaint', 'Vaccination', 'Lab review', 'Prescription renewal', 'Post-op check', 'Consultation', 'Physiotherapy', 'Blood pressure check'];
/** Who the generated appointments name; practitioner k works in 'Room k+1' (the desk bench gives them staff records and schedules). */
export const PRACTITIONERS = ['Dr Abara', 'Dr Becker', 'Dr Cohen', 'Dr Duval', 'Dr Eriksen', 'Dr Fontaine', 'Dr Gupta', 'Dr Hale'];

const patients: EntityLoader = {
  entity: 'patient',
  domain: 'master_data',
  rows: (size) => size.patients,
  statements: () => {
    const id = generatedIdSql('patient', 'i');
    const series = 'FROM generate_series({from}::int, {to}::int - 1) AS i';
    return [
      // Birth dates 1930-01-01 + up to ~94 years (never in the future); a few unknown sexes.
      `INSERT INTO master_data.patients (id, given_name, family_name, birth_date, sex, phone, field_hlc)
       SELECT ${id}, ${oneOf('patient', 'given', 'i', GIVEN)}, ${oneOf('patient', 'family', 'i', FAMILY)},
              date '1930-01-01' + ${pickSql('patient', 'birth', 'i', 34_300)},
              ${oneOf('patient', 'sex', 'i', ['female', 'female', 'male', 'male', 'other', 'unknown'])},
              '+1 555-' || lpad(${pickSql('patient', 'phone', 'i', 10_000_000)}::text, 7, '0'), {hlc}::jsonb - 'mrn'
       ${series}`,
      `INSERT INTO master_data.tenant_patients (tenant_id, patient_id, mrn, field_hlc)
       SELECT {tenant}::uuid, ${id}, 'MRN' || lpad((i + 1)::text, 7, '0'), jsonb_build_object('mrn', {hlc}::jsonb->>'mrn')
       ${series}`,
      feedSql('master_data', 'patient', 'patient'),
    ];
  },
};

/**
 * Appointments: 8 practitioners x 16 half-hour slots a day, filled in order from 2021-01-01
 * (the full clinic: ~5 years of diary, the past mostly attended, bookings ahead after 2026);
 * each for a patient drawn at random, so some patients come often and some once.
 */
const appointments: EntityLoader = {
  entity: 'appointment',
  domain: 'scheduling',
  rows: (size) => size.appointments,
  statements: ({ size }) => {
    const slotsPerDay = PRACTITIONERS.length * 16;
    const patient = generatedIdSql('patient', pickSql('appointment', 'patient', 'i', size.patients));
    const startsAt = `(timestamptz '2021-01-01 08:00:00+00' + (i / ${slotsPerDay}) * interval '1 day' + ((i % 16) * 30) * interval '1 minute')`;
    return [
      `INSERT INTO scheduling.appointments
         (tenant_id, id, patient_id, starts_at, ends_at, status, reason, practitioner_name, location, field_hlc)
       SELECT {tenant}::uuid, ${generatedIdSql('appointment', 'i')}, ${patient}, ${startsAt}, ${startsAt} + interval '30 minutes',
              CASE WHEN ${startsAt} >= timestamptz '2026-01-01 00:00:00+00' THEN 'booked'
                   ELSE ${oneOf('appointment', 'status', 'i', ['checked_in', 'checked_in', 'checked_in', 'checked_in', 'checked_in', 'checked_in', 'checked_in', 'cancelled', 'no_show', 'booked'])} END,
              ${oneOf('appointment', 'reason', 'i', REASONS)},
              (ARRAY[${PRACTITIONERS.map((name) => `'${name}'`).join(', ')}]::text[])[1 + ((i / 16) % ${PRACTITIONERS.length})],
              'Room ' || (1 + (i / 16) % ${PRACTITIONERS.length}), {hlc}::jsonb
       FROM generate_series({from}::int, {to}::int - 1) AS i`,
      feedSql('scheduling', 'appointment', 'appointment'),
    ];
  },
};

/** The appointment an encounter (row `i`) was for: every (appointments / encounters)-th one, so all in the past. */
function encounterAppointmentSql(size: ClinicSize, row: string): string {
  return `((${row})::bigint * ${size.appointments} / ${Math.max(1, size.encounters)})::int`;
}

const CLINICIANS = 8;
const clinicianSql = (kind: string, row: string) => generatedIdSql('clinician', pickSql(kind, 'clinician', row, CLINICIANS));

/**
 * Encounters: one for (roughly) every 2.5 appointments, at its time, for its patient, by
 * one of 8 clinicians; closed 25 minutes later, a few left open (forgotten at the desk).
 */
const encounters: EntityLoader = {
  entity: 'encounter',
  domain: 'clinical',
  rows: (size) => size.encounters,
  statements: ({ size }) => {
    const slotsPerDay = PRACTITIONERS.length * 16;
    const appointment = encounterAppointmentSql(size, 'i');
    const startedAt = `(timestamptz '2021-01-01 08:00:00+00' + (${appointment} / ${slotsPerDay}) * interval '1 day' + ((${appointment} % 16) * 30) * interval '1 minute')`;
    const open = `${pickSql('encounter', 'open', 'i', 50)} = 0`;
    return [
      `INSERT INTO clinical.encounters
         (tenant_id, id, patient_id, appointment_id, practitioner_id, status, started_at, ended_at, opened_by, closed_by, field_hlc)
       SELECT {tenant}::uuid, ${generatedIdSql('encounter', 'i')},
              ${generatedIdSql('patient', pickSql('appointment', 'patient', appointment, size.patients))},
              ${generatedIdSql('appointment', appointment)}, NULL,
              CASE WHEN ${open} THEN 'open' ELSE 'closed' END, ${startedAt},
              CASE WHEN ${open} THEN NULL ELSE ${startedAt} + interval '25 minutes' END,
              ${clinicianSql('encounter', 'i')}, CASE WHEN ${open} THEN NULL ELSE ${clinicianSql('encounter', 'i')} END, {hlc}::jsonb
       FROM generate_series({from}::int, {to}::int - 1) AS i`,
      feedSql('clinical', 'encounter', 'encounter'),
    ];
  },
};

const NOTE_OPENINGS = ['Patient seen for follow-up.', 'Presents with a two-day history of cough.', 'Routine review of blood pressure.', 'Attends for wound check after minor surgery.', 'Telephone consultation about medication.', 'New patient, first visit to the practice.'];
const NOTE_FINDINGS = ['Observations within normal limits.', 'Mild tenderness on palpation, no swelling.', 'Chest clear, heart sounds normal.', 'Blood pressure 132/84, pulse 72 regular.', 'Wound healing well, no sign of infection.', 'Temperature 37.9, throat mildly inflamed.'];
const NOTE_PLANS = ['Plan: continue current treatment and review in three months.', 'Plan: bloods ordered, will call with results.', 'Plan: advised rest and fluids, return if worse.', 'Plan: referral letter sent, patient informed.', 'Plan: dose adjusted, leaflet given, review in four weeks.', 'Plan: no further action needed at present.'];

/** Notes: about two per encounter, a few hundred characters each, nearly all signed by the encounter's clinician. */
const notes: EntityLoader = {
  entity: 'note',
  domain: 'clinical',
  rows: (size) => size.notes,
  statements: ({ size }) => {
    const encounter = `((i)::bigint * ${size.encounters} / ${Math.max(1, size.notes)})::int`;
    const signed = `${pickSql('note', 'draft', 'i', 40)} <> 0`;
    const appointment = encounterAppointmentSql(size, encounter);
    const signedAt = `(timestamptz '2021-01-01 08:00:00+00' + (${appointment} / ${PRACTITIONERS.length * 16}) * interval '1 day' + ((${appointment} % 16) * 30 + 28) * interval '1 minute')`;
    return [
      `INSERT INTO clinical.notes (tenant_id, id, encounter_id, amends_id, kind, body, status, author_id, signed_at, field_hlc)
       SELECT {tenant}::uuid, ${generatedIdSql('note', 'i')}, ${generatedIdSql('encounter', encounter)}, NULL,
              ${oneOf('note', 'kind', 'i', ['progress', 'progress', 'progress', 'soap', 'soap', 'procedure', 'consult', 'phone', 'discharge', 'other'])},
              ${oneOf('note', 'opening', 'i', NOTE_OPENINGS)} || ' ' || ${oneOf('note', 'finding', 'i', NOTE_FINDINGS)} || ' ' || ${oneOf('note', 'finding2', 'i', NOTE_FINDINGS)}
                || E'\n' || ${oneOf('note', 'plan', 'i', NOTE_PLANS)},
              CASE WHEN ${signed} THEN 'signed' ELSE 'draft' END, ${clinicianSql('encounter', encounter)},
              CASE WHEN ${signed} THEN ${signedAt} ELSE NULL END, {hlc}::jsonb
       FROM generate_series({from}::int, {to}::int - 1) AS i`,
      feedSql('clinical', 'note', 'note'),
    ];
  },
};

const ORDER_ITEMS: readonly (readonly [string, string, string])[] = [
  ['lab', 'FBC', 'Full blood count'],
  ['lab', 'HBA1C', 'HbA1c'],
  ['lab', 'LIPIDS', 'Lipid profile'],
  ['lab', 'UE', 'Urea and electrolytes'],
  ['imaging', 'XR-CHEST', 'Chest X-ray'],
  ['imaging', 'US-ABD', 'Abdominal ultrasound'],
  ['medication', 'AMOX-500', 'Amoxicillin 500 mg three times a day for 5 days'],
  ['medication', 'RAMI-5', 'Ramipril 5 mg once daily'],
  ['procedure', 'ECG-12', '12-lead ECG'],
  ['referral', 'REF-CARD', 'Referral to cardiology'],
];

/** Orders: about two per encounter, from a short catalogue; most completed, some still active. */
const orders: EntityLoader = {
  entity: 'order',
  domain: 'clinical',
  rows: (size) => size.orders,
  statements: ({ size }) => {
    const encounter = `((i)::bigint * ${size.encounters} / ${Math.max(1, size.orders)})::int`;
    const item = pickSql('order', 'item', 'i', ORDER_ITEMS.length);
    const column = (k: number) => `(ARRAY[${ORDER_ITEMS.map((entry) => `'${entry[k]}'`).join(', ')}]::text[])[1 + ${item}]`;
    return [
      `INSERT INTO clinical.orders (tenant_id, id, encounter_id, kind, code, description, status, ordered_by, field_hlc)
       SELECT {tenant}::uuid, ${generatedIdSql('order', 'i')}, ${generatedIdSql('encounter', encounter)}, ${column(0)}, ${column(1)}, ${column(2)},
              ${oneOf('order', 'status', 'i', ['completed', 'completed', 'completed', 'completed', 'completed', 'completed', 'active', 'active', 'cancelled', 'on_hold'])},
              ${clinicianSql('encounter', encounter)}, {hlc}::jsonb
       FROM generate_series({from}::int, {to}::int - 1) AS i`,
      feedSql('clinical', 'order', 'order'),
    ];
  },
};

/** In load order: what a row refers to is loaded before it. */
const LOADERS: readonly EntityLoader[] = [patients, appointments, encounters, notes, orders];

/** The HLC stamped on every field of every generated row (one bootstrap "moment"). */
function fieldHlcFor(entity: EntityName, hlc: string): Record<string, string> {
  if (entity === 'patient') return { ...stampAll(PATIENT_CORE_FIELDS, hlc), mrn: hlc };
  return stampAll(Object.keys(ENTITY_CATALOG[entity].fields.shape), hlc);
}

/**
 * Loads the clinic for `tenantId` into the server's databases; returns what each entity received.
 * `analyze: false` skips the closing ANALYZE (the load bench fills a thousand small tenants and analyzes once).
 */
export async function loadClinic(server: Pick<SyncServerHandle, 'databases'>, tenantId: string, size: ClinicSize, seed: string, { analyze = true }: { analyze?: boolean } = {}): Promise<LoadedEntity[]> {
  const hlc = formatHlc({ ms: ID_EPOCH_MS, counter: 0, node: 'bench' });
  const context: GeneratorContext = { seed, size, hlc };
  const loaded: LoadedEntity[] = [];
  for (const loader of LOADERS) {
    const total = loader.rows(size);
    const db = server.databases.domains[loader.domain];
    const fieldHlc = JSON.stringify(fieldHlcFor(loader.entity, hlc));
    for (let from = 0; from < total; from += CHUNK) {
      const to = Math.min(total, from + CHUNK);
      await db.withTenant(tenantId, async (sql: Sql) => {
        for (const statement of loader.statements(context)) {
          const { text, params } = bind(statement, { seed, from, to, tenant: tenantId, hlc: fieldHlc });
          await sql.execute(text, params);
        }
      });
    }
    loaded.push({ entity: loader.entity, domain: loader.domain, rows: total });
  }
  if (analyze) await analyzeClinicTables(server);
  return loaded;
}

/**
 * Fresh statistics, as a server that has lived with this data would have (PostgreSQL
 * plans the feed query on them); ANALYZE needs the owner, hence inspect().
 */
export async function analyzeClinicTables(server: Pick<SyncServerHandle, 'databases'>): Promise<void> {
  for (const domain of new Set(LOADERS.map((loader) => loader.domain))) {
    await server.databases.inspect(domain, (sql) => sql.exec(`ANALYZE ${domain}.changes`));
    for (const table of tablesOf(domain)) await server.databases.inspect(domain, (sql) => sql.exec(`ANALYZE ${table}`));
  }
}

/**
 * Turns {name} placeholders into $1, $2, ... in order of first use, with only the values
 * used (PostgreSQL refuses a parameter a statement never mentions: its type is unknown).
 */
function bind(template: string, values: Record<string, unknown>): { text: string; params: unknown[] } {
  const order: string[] = [];
  const text = template.replace(/\{(seed|from|to|tenant|hlc)\}/g, (_, name: string) => {
    if (!(name in values)) throw new Error(`clinic generator: no value for {${name}}`);
    if (!order.includes(name)) order.push(name);
    return `$${order.indexOf(name) + 1}`;
  });
  return { text, params: order.map((name) => values[name]) };
}

function tablesOf(domain: SyncedDomain): string[] {
  if (domain === 'master_data') return ['master_data.patients', 'master_data.tenant_patients'];
  if (domain === 'clinical') return ['clinical.encounters', 'clinical.notes', 'clinical.orders'];
  return ['scheduling.appointments'];
}
