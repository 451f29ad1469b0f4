import type { EncounterView, NoteView, OrderTransitionView, OrderView } from '../../../shared/api/clinical.ts';
import { isoTime, isoTimeOrNull } from '../../db/timestamps.ts';

/**
 * Columns of the clinical tables as the services read them, and the row → view mappers.
 * Both drivers return timestamptz as Date; the wire carries ISO-8601 in UTC.
 */

type Dated<T, K extends keyof T> = Omit<T, K> & { [P in K]: T[P] extends string ? Date : Date | null };

export const ENCOUNTER_SELECT = `e.id::text AS id, e.patient_id::text AS "patientId", e.appointment_id::text AS "appointmentId",
  e.practitioner_id::text AS "practitionerId", e.status, e.started_at AS "startedAt", e.ended_at AS "endedAt", e.version`;
export type EncounterRow = Dated<EncounterView, 'startedAt' | 'endedAt'>;
export const encounterView = (row: EncounterRow): EncounterView => ({ ...row, startedAt: isoTime(row.startedAt), endedAt: isoTimeOrNull(row.endedAt) });

/** Needs `JOIN clinical.encounters e` for the patient id. */
export const NOTE_SELECT = `n.id::text AS id, n.encounter_id::text AS "encounterId", e.patient_id::text AS "patientId",
  n.amends_id::text AS "amendsId", n.kind, n.body, n.status, n.author_id::text AS "authorId", n.signed_at AS "signedAt",
  n.created_at AS "createdAt", n.updated_at AS "updatedAt", n.version,
  COALESCE((SELECT array_agg(m.id::text ORDER BY m.created_at, m.id) FROM clinical.notes m
            WHERE m.tenant_id = n.tenant_id AND m.amends_id = n.id), '{}') AS "amendedBy"`;
export type NoteRow = Dated<NoteView, 'signedAt' | 'createdAt' | 'updatedAt'>;
export const noteView = (row: NoteRow): NoteView => ({
  ...row,
  signedAt: isoTimeOrNull(row.signedAt),
  createdAt: isoTime(row.createdAt),
  updatedAt: isoTime(row.updatedAt),
});

/** Needs `JOIN clinical.encounters e` for the patient id. */
export const ORDER_SELECT = `o.id::text AS id, o.encounter_id::text AS "encounterId", e.patient_id::text AS "patientId", o.kind, o.code,
  o.description, o.status, o.ordered_by::text AS "orderedBy", o.created_at AS "createdAt", o.updated_at AS "updatedAt", o.version`;
export type OrderRow = Dated<OrderView, 'createdAt' | 'updatedAt'>;
export const orderView = (row: OrderRow): OrderView => ({ ...row, createdAt: isoTime(row.createdAt), updatedAt: isoTime(row.updatedAt) });

export const TRANSITION_SELECT = `t.from_status AS "from", t.to_status AS "to", t.reason, t.changed_by::text AS "changedBy", t.changed_at AS "changedAt"`;
export type TransitionRow = Dated<OrderTransitionView, 'changedAt'>;
export const transitionView = (row: TransitionRow): OrderTransitionView => ({ ...row, changedAt: isoTime(row.changedAt) });
