import { isValidNpi } from '../../../shared/api/personnel.ts';
import { LOCATION_KINDS } from '../../../shared/api/scheduling.ts';
import { label } from '../../../shared/api/text.ts';
import type { RowPlace } from './import-report.ts';
import type { Mapped, RowProblem } from './row-problems.ts';

/** A FHIR Practitioner as a staff record of the org (a practitioner; job roles and sign-in are set up afterwards). */
export interface PractitionerImportRow {
  place: RowPlace;
  sourceKey: string;
  displayName: string;
  npi: string | null;
  active: boolean;
}

/** A FHIR Location as a scheduling location. */
export interface LocationImportRow {
  place: RowPlace;
  sourceKey: string;
  name: string;
  kind: (typeof LOCATION_KINDS)[number];
  active: boolean;
}

const NPI_SYSTEM = 'http://hl7.org/fhir/sid/us-npi';
const displayName = label(100);

const strings = (value: unknown): string[] => (Array.isArray(value) ? value.filter((part): part is string => typeof part === 'string') : []);

/** name.text, else prefix + given + family + suffix of the first name. */
function practitionerName(names: unknown): string {
  const name = Array.isArray(names) ? (names[0] as Record<string, unknown> | undefined) : undefined;
  if (!name) return '';
  if (typeof name.text === 'string' && name.text.trim() !== '') return name.text;
  return [...strings(name.prefix), ...strings(name.given), ...(typeof name.family === 'string' ? [name.family] : []), ...strings(name.suffix)].join(' ');
}

export function fhirPractitioner(place: RowPlace, sourceKey: string, resource: Record<string, unknown>): Mapped<PractitionerImportRow> {
  const problems: RowProblem[] = [];
  const name = displayName.safeParse(practitionerName(resource.name));
  if (!name.success) problems.push({ field: 'name', message: name.error.issues[0]?.message ?? 'is not valid' });
  const identifiers = Array.isArray(resource.identifier) ? (resource.identifier as { system?: unknown; value?: unknown }[]) : [];
  const npiValue = identifiers.find((identifier) => identifier.system === NPI_SYSTEM)?.value;
  let npi: string | null = null;
  if (npiValue !== undefined) {
    if (typeof npiValue === 'string' && isValidNpi(npiValue.trim())) npi = npiValue.trim();
    else problems.push({ field: 'identifier (NPI)', message: 'is not a valid NPI (ten digits with a check digit)' });
  }
  if (problems.length > 0 || !name.success) return { ok: false, problems };
  return { ok: true, row: { place, sourceKey, displayName: name.data, npi, active: resource.active !== false }, warnings: [] };
}

/** location-physical-type codes (and Clinicsync's own export's text) as our location kinds. */
const PHYSICAL_TYPES: Record<string, LocationImportRow['kind']> = { bu: 'clinic', wi: 'clinic', lvl: 'clinic', ro: 'room', bd: 'room', area: 'room', vi: 'telehealth', si: 'external', ho: 'external', ve: 'external' };

function locationKind(physicalType: unknown): LocationImportRow['kind'] {
  if (typeof physicalType !== 'object' || physicalType === null) return 'clinic';
  const { text, coding } = physicalType as { text?: unknown; coding?: { code?: unknown }[] };
  if (typeof text === 'string' && (LOCATION_KINDS as readonly string[]).includes(text)) return text as LocationImportRow['kind'];
  for (const code of Array.isArray(coding) ? coding : []) {
    const kind = typeof code.code === 'string' ? PHYSICAL_TYPES[code.code] : undefined;
    if (kind) return kind;
  }
  return 'clinic';
}

export function fhirLocation(place: RowPlace, sourceKey: string, resource: Record<string, unknown>): Mapped<LocationImportRow> {
  const name = displayName.safeParse(typeof resource.name === 'string' ? resource.name : '');
  if (!name.success) return { ok: false, problems: [{ field: 'name', message: name.error.issues[0]?.message ?? 'is not valid' }] };
  const active = resource.status !== 'inactive' && resource.status !== 'suspended';
  return { ok: true, row: { place, sourceKey, name: name.data, kind: locationKind(resource.physicalType), active }, warnings: [] };
}
