import { IDENTIFIER_SYSTEMS, identifierAddInput, type IdentifierSystem } from '../../../shared/api/patients.ts';
import { patientFieldsSchema, type PatientFields } from '../../../shared/entities/patient.ts';
import type { RowPlace } from './import-report.ts';
import { firstPerField, hasControlCharacters, zodProblems, type Mapped, type RowProblem } from './row-problems.ts';

/** A patient as the import writes it: the org's MRN (required) with the core identity, and the identifiers the source gave. */
export interface PatientImportRow {
  place: RowPlace;
  /** "Patient/<id>" for a FHIR resource (what appointments reference); null for a roster row. */
  sourceKey: string | null;
  fields: PatientFields;
  identifiers: { system: IdentifierSystem; value: string }[];
}

/** The roster's documented columns (header names, case-insensitive). */
export const ROSTER_COLUMNS = ['mrn', 'given_name', 'family_name', 'birth_date', 'sex', 'phone', ...IDENTIFIER_SYSTEMS] as const;
export const ROSTER_REQUIRED = ['mrn', 'given_name', 'family_name', 'birth_date'] as const;

const ROSTER_NAMES: Record<string, string> = { givenName: 'given_name', familyName: 'family_name', birthDate: 'birth_date', sex: 'sex', phone: 'phone', mrn: 'mrn' };
const FHIR_NAMES: Record<string, string> = { givenName: 'name.given', familyName: 'name.family', birthDate: 'birthDate', sex: 'gender', phone: 'telecom', mrn: 'identifier (MRN)' };

/** Sex codes a roster may use: the words, or their first letters. */
const SEX_CODES: Record<string, PatientFields['sex']> = { female: 'female', f: 'female', male: 'male', m: 'male', other: 'other', o: 'other', unknown: 'unknown', u: 'unknown' };

const identifierValue = identifierAddInput.shape.value;

/** Checks the shared patient schema plus what only an import needs (an MRN, no control characters). */
function checkPatient(candidate: Record<string, string>, names: Record<string, string>): { fields?: PatientFields; problems: RowProblem[] } {
  const problems: RowProblem[] = [];
  for (const [key, value] of Object.entries(candidate)) {
    if (hasControlCharacters(value)) problems.push({ field: names[key] ?? key, message: 'may not hold control characters' });
  }
  if ((candidate.mrn ?? '').trim() === '') problems.push({ field: names.mrn ?? 'mrn', message: 'is required' });
  const parsed = patientFieldsSchema.safeParse(candidate);
  if (!parsed.success) problems.push(...zodProblems(parsed.error, names));
  return parsed.success && problems.length === 0 ? { fields: parsed.data, problems } : { problems: firstPerField(problems) };
}

/** One roster record, by the header's column positions. */
export function rosterPatient(place: RowPlace, header: ReadonlyMap<string, number>, values: readonly string[]): Mapped<PatientImportRow> {
  const column = (name: string) => {
    const index = header.get(name);
    return index === undefined ? '' : (values[index] ?? '').trim();
  };
  const problems: RowProblem[] = [];
  const sexCode = column('sex').toLowerCase();
  const sex = sexCode === '' ? 'unknown' : SEX_CODES[sexCode];
  if (sex === undefined) problems.push({ field: 'sex', message: 'is not a known sex code (female, male, other, unknown, or F, M, O, U)' });
  const checked = checkPatient(
    { mrn: column('mrn'), givenName: column('given_name'), familyName: column('family_name'), birthDate: column('birth_date'), sex: sex ?? 'unknown', phone: column('phone') },
    ROSTER_NAMES,
  );
  problems.push(...checked.problems);
  const warnings: RowProblem[] = [];
  const identifiers: PatientImportRow['identifiers'] = [];
  for (const system of IDENTIFIER_SYSTEMS) {
    const raw = column(system);
    if (raw === '') continue;
    const value = identifierValue.safeParse(raw);
    if (value.success) identifiers.push({ system, value: value.data });
    else problems.push({ field: system, message: value.error.issues[0]?.message ?? 'is not valid' });
  }
  if (problems.length > 0 || !checked.fields) return { ok: false, problems };
  return { ok: true, row: { place, sourceKey: null, fields: checked.fields, identifiers }, warnings };
}

interface FhirIdentifier {
  system?: unknown;
  value?: unknown;
  type?: { coding?: { system?: unknown; code?: unknown }[]; text?: unknown };
}

const IDENTIFIER_TYPE_CODES: Record<string, IdentifierSystem> = { SS: 'national_id', NI: 'national_id', NN: 'national_id', MB: 'insurance_member_id', SN: 'insurance_member_id', PPN: 'passport', DL: 'drivers_license' };
const IDENTIFIER_SYSTEM_URLS: Record<string, IdentifierSystem> = { 'http://hl7.org/fhir/sid/us-ssn': 'national_id' };

function typeCodes(identifier: FhirIdentifier): string[] {
  return (identifier.type?.coding ?? []).map((coding) => (typeof coding.code === 'string' ? coding.code : '')).filter(Boolean);
}

/** An MRN: an identifier typed MR (HL7 v2-0203), or, when the operator names the MRN system, that system's identifier. */
function isMrn(identifier: FhirIdentifier, mrnSystem: string | undefined): boolean {
  if (mrnSystem !== undefined) return identifier.system === mrnSystem;
  return typeCodes(identifier).includes('MR') || identifier.type?.text === 'MRN';
}

/** Which of our identifier systems a FHIR identifier is, if any (Clinicsync's own export names it in the system URN). */
function identifierSystemOf(identifier: FhirIdentifier): IdentifierSystem | null {
  const system = typeof identifier.system === 'string' ? identifier.system : '';
  const own = /:identifier:([a-z_]+)$/.exec(system)?.[1];
  if (own && (IDENTIFIER_SYSTEMS as readonly string[]).includes(own)) return own as IdentifierSystem;
  const byUrl = IDENTIFIER_SYSTEM_URLS[system];
  if (byUrl) return byUrl;
  for (const code of typeCodes(identifier)) {
    const byType = IDENTIFIER_TYPE_CODES[code];
    if (byType) return byType;
  }
  return null;
}

interface FhirName {
  use?: unknown;
  family?: unknown;
  given?: unknown;
}

/** The official (else usual, else first) name with a family and a given name. */
function pickName(names: unknown): { given: string; family: string } {
  const list = Array.isArray(names) ? (names as FhirName[]) : [];
  const ranked = [...list.filter((n) => n.use === 'official'), ...list.filter((n) => n.use === 'usual'), ...list];
  const name = ranked[0];
  const given = Array.isArray(name?.given) ? name.given.filter((part): part is string => typeof part === 'string').join(' ') : '';
  return { given, family: typeof name?.family === 'string' ? name.family : '' };
}

/** A FHIR R4 Patient: the MRN from its identifiers, the official name, gender, birthDate, the first phone. */
export function fhirPatient(place: RowPlace, sourceKey: string, resource: Record<string, unknown>, mrnSystem: string | undefined): Mapped<PatientImportRow> {
  const identifiers = Array.isArray(resource.identifier) ? (resource.identifier as FhirIdentifier[]) : [];
  const mrn = identifiers.find((identifier) => isMrn(identifier, mrnSystem));
  const { given, family } = pickName(resource.name);
  const telecom = Array.isArray(resource.telecom) ? (resource.telecom as { system?: unknown; value?: unknown }[]) : [];
  const phone = telecom.find((t) => t.system === 'phone' && typeof t.value === 'string');
  const gender = resource.gender === undefined ? 'unknown' : resource.gender;
  const problems: RowProblem[] = [];
  if (mrn === undefined) problems.push({ field: 'identifier (MRN)', message: mrnSystem ? 'has no identifier of the given MRN system' : 'has no identifier of type MR (the MRN)' });
  if (typeof resource.birthDate === 'string' && /^\d{4}(-\d{2})?$/.test(resource.birthDate)) problems.push({ field: 'birthDate', message: 'must be a full date (a year or month alone is not enough)' });
  const checked = checkPatient(
    {
      mrn: typeof mrn?.value === 'string' ? mrn.value.trim() : '',
      givenName: given,
      familyName: family,
      birthDate: typeof resource.birthDate === 'string' ? resource.birthDate : '',
      sex: typeof gender === 'string' ? gender : '',
      phone: typeof phone?.value === 'string' ? phone.value.trim() : '',
    },
    FHIR_NAMES,
  );
  problems.push(...checked.problems);
  const warnings: RowProblem[] = [];
  const ids: PatientImportRow['identifiers'] = [];
  for (const identifier of identifiers) {
    if (identifier === mrn) continue;
    const system = identifierSystemOf(identifier);
    if (!system) continue;
    const value = identifierValue.safeParse(identifier.value);
    if (value.success) ids.push({ system, value: value.data });
    else warnings.push({ field: 'identifier', message: `a ${system} identifier was left out: ${value.error.issues[0]?.message ?? 'not valid'}` });
  }
  if (problems.length > 0 || !checked.fields) return { ok: false, problems: firstPerField(problems) };
  return { ok: true, row: { place, sourceKey, fields: checked.fields, identifiers: ids }, warnings };
}
