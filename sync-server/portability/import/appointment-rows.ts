import { appointmentFieldsSchema, type AppointmentFields } from '../../../shared/entities/appointment.ts';
import type { FhirSource } from './fhir-source.ts';
import type { RowPlace } from './import-report.ts';
import { hasControlCharacters, type Mapped, type RowProblem } from './row-problems.ts';

/** A FHIR Appointment with its participants as source keys; the writer turns them into the org's ids. */
export interface AppointmentImportRow {
  place: RowPlace;
  sourceKey: string;
  patientKey: string;
  practitionerKey: string | null;
  locationKey: string | null;
  startsAt: string;
  endsAt: string;
  status: AppointmentFields['status'];
  reason: string;
}

/** FHIR R4 appointment statuses as ours; proposed, pending-less and waitlisted ones have no slot to import. */
const STATUSES: Record<string, AppointmentFields['status']> = {
  booked: 'booked',
  pending: 'booked',
  arrived: 'checked_in',
  'checked-in': 'checked_in',
  fulfilled: 'checked_in',
  cancelled: 'cancelled',
  'entered-in-error': 'cancelled',
  noshow: 'no_show',
};

const instant = appointmentFieldsSchema.shape.startsAt;
const REASON_MAX = 200;

/** description, else the first reasonCode's text or display. */
function reasonOf(resource: Record<string, unknown>): string {
  if (typeof resource.description === 'string') return resource.description.trim();
  const first = Array.isArray(resource.reasonCode) ? (resource.reasonCode[0] as { text?: unknown; coding?: { display?: unknown }[] } | undefined) : undefined;
  if (typeof first?.text === 'string') return first.text.trim();
  const display = first?.coding?.find((coding) => typeof coding.display === 'string')?.display;
  return typeof display === 'string' ? display.trim() : '';
}

export function fhirAppointment(place: RowPlace, sourceKey: string, resource: Record<string, unknown>, source: FhirSource): Mapped<AppointmentImportRow> {
  const problems: RowProblem[] = [];
  const warnings: RowProblem[] = [];
  const refs: Record<string, string[]> = { Patient: [], Practitioner: [], Location: [] };
  for (const participant of Array.isArray(resource.participant) ? (resource.participant as { actor?: { reference?: unknown } }[]) : []) {
    const reference = participant?.actor?.reference;
    if (typeof reference !== 'string') continue;
    const resolved = source.resolve(reference);
    if (resolved && refs[resolved.type]) refs[resolved.type]!.push(resolved.key);
  }
  const [patientKey] = refs.Patient!;
  if (patientKey === undefined) problems.push({ field: 'participant', message: 'names no Patient by reference' });
  if (refs.Patient!.length > 1) problems.push({ field: 'participant', message: 'names more than one Patient' });
  if (refs.Practitioner!.length > 1) warnings.push({ field: 'participant', message: 'names more than one Practitioner; the first is kept' });
  if (refs.Location!.length > 1) warnings.push({ field: 'participant', message: 'names more than one Location; the first is kept' });

  const start = instant.safeParse(resource.start);
  const end = instant.safeParse(resource.end);
  if (!start.success) problems.push({ field: 'start', message: 'must be an instant with a time zone offset' });
  if (!end.success) problems.push({ field: 'end', message: 'must be an instant with a time zone offset' });
  if (start.success && end.success && Date.parse(end.data) <= Date.parse(start.data)) problems.push({ field: 'end', message: 'must be after start' });
  const status = typeof resource.status === 'string' ? STATUSES[resource.status] : undefined;
  if (status === undefined) problems.push({ field: 'status', message: `must be one of ${Object.keys(STATUSES).join(', ')} (proposed and waitlisted appointments have no slot to import)` });
  let reason = reasonOf(resource);
  if (hasControlCharacters(reason)) problems.push({ field: 'description', message: 'may not hold control characters' });
  if (reason.length > REASON_MAX) {
    reason = reason.slice(0, REASON_MAX);
    warnings.push({ field: 'description', message: `was cut to ${REASON_MAX} characters` });
  }
  if (problems.length > 0 || patientKey === undefined || !start.success || !end.success || status === undefined) return { ok: false, problems };
  return {
    ok: true,
    row: { place, sourceKey, patientKey, practitionerKey: refs.Practitioner![0] ?? null, locationKey: refs.Location![0] ?? null, startsAt: start.data, endsAt: end.data, status, reason },
    warnings,
  };
}
