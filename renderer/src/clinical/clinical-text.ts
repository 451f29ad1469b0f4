import { NOTE_KINDS, ORDER_KINDS, ORDER_TRANSITIONS, type NoteKind, type OrderStatus } from '../../../shared/api/clinical.ts';

/** Words the clinical screens show for the shared enums; the state machine itself stays in shared/. */

export const NOTE_KIND_LABELS: Record<NoteKind, string> = {
  progress: 'Progress note',
  soap: 'SOAP note',
  procedure: 'Procedure note',
  consult: 'Consult note',
  discharge: 'Discharge note',
  phone: 'Phone note',
  other: 'Other note',
};
export const NOTE_KIND_OPTIONS = NOTE_KINDS.map((kind) => ({ value: kind, label: NOTE_KIND_LABELS[kind] }));

export const ORDER_KIND_LABELS: Record<(typeof ORDER_KINDS)[number], string> = {
  lab: 'Lab',
  imaging: 'Imaging',
  medication: 'Medication',
  procedure: 'Procedure',
  referral: 'Referral',
  other: 'Other',
};
export const ORDER_KIND_OPTIONS = ORDER_KINDS.map((kind) => ({ value: kind, label: ORDER_KIND_LABELS[kind] }));

export const ORDER_STATUS_LABELS: Record<OrderStatus, string> = {
  draft: 'Draft',
  active: 'Active',
  on_hold: 'On hold',
  completed: 'Completed',
  cancelled: 'Cancelled',
};

/** The verb on the button that moves an order to a status. */
const MOVE_LABELS: Record<OrderStatus, string> = {
  draft: 'Back to draft',
  active: 'Activate',
  on_hold: 'Put on hold',
  completed: 'Complete',
  cancelled: 'Cancel order',
};

/** One button per move the shared state machine allows from `status` (none once final). */
export function orderMoves(status: OrderStatus): { to: OrderStatus; label: string }[] {
  return ORDER_TRANSITIONS[status].map((to) => ({ to, label: from(status, to) }));
}

// "Resume" reads better than "Activate" for an order that was on hold.
const from = (status: OrderStatus, to: OrderStatus) => (status === 'on_hold' && to === 'active' ? 'Resume' : MOVE_LABELS[to]);

/** A note's status as a person reads it: a signed note that others amend is "Amended". */
export function noteStatusLabel(note: { status: 'draft' | 'signed'; amendsId: string | null }, amended: boolean): string {
  if (note.status === 'draft') return note.amendsId ? 'Amendment draft' : 'Draft';
  if (amended) return 'Amended';
  return note.amendsId ? 'Amendment, signed' : 'Signed';
}

/** Today as a UTC calendar day (the clinic runs on UTC days for now, like the schedule). */
/**
 * Who wrote a note, as its card says: "By you", the name of the staff record linked to the
 * author's account (staff.authorNames), or "another clinician" when no record links it.
 */
export function noteAuthorLabel(authorId: string, userId: string, authorNames: ReadonlyMap<string, string>): string {
  if (authorId === userId) return 'By you';
  const name = authorNames.get(authorId);
  return name ? `By ${name}` : 'By another clinician';
}

export function utcToday(now: Date = new Date()): string {
  return now.toISOString().slice(0, 10);
}
