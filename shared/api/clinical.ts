import { z } from 'zod';
import { idSchema } from '../ids.ts';
import { label } from './text.ts';

/**
 * Inputs of the clinical.* procedures, the order state machine and the views the server
 * returns. Every object is strict (an unknown key is a VALIDATION error) and every string,
 * number and list is bounded.
 */

const instant = z.iso.datetime({ offset: true, message: 'must be an ISO-8601 date and time' });
const limit = (max: number, fallback: number) => z.number().int().min(1).max(max).default(fallback);
/** Guards a lost update: the version the editor started from (CONFLICT if someone saved since). */
const expectedVersion = z.number().int().min(1).max(2_147_483_647).optional();

/** Clinical free text: line breaks and tabs allowed, no other control characters (a NUL would reach the database). */
export const NOTE_MAX_LENGTH = 20_000;
export const noteBody = z
  .string()
  .max(NOTE_MAX_LENGTH, 'is too long')
  .refine((body) => body.trim().length > 0, 'is required')
  .regex(/^[^\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]*$/, 'may not hold control characters');

/** Lists are asked for one encounter or one patient's chart, never the whole org's records at once. */
const oneScope = <S extends z.ZodType<{ encounterId?: string | undefined; patientId?: string | undefined }>>(schema: S): S =>
  schema.refine((s) => (s.encounterId === undefined) !== (s.patientId === undefined), 'must name either encounterId or patientId');

// ---- encounters ----

export const ENCOUNTER_STATUSES = ['open', 'closed'] as const;
export type EncounterStatus = (typeof ENCOUNTER_STATUSES)[number];

export const encounterListInput = z
  .strictObject({ patientId: idSchema.optional(), status: z.enum(ENCOUNTER_STATUSES).optional(), limit: limit(500, 100) })
  .prefault({});

export const encounterGetInput = z.strictObject({ id: idSchema });

export const encounterOpenInput = z.strictObject({
  patientId: idSchema,
  appointmentId: idSchema.nullable().default(null),
  practitionerId: idSchema.nullable().default(null),
  /** Defaults to now; an encounter documented afterwards may start in the past. */
  startedAt: instant.optional(),
});

export const encounterCloseInput = z.strictObject({ id: idSchema, endedAt: instant.optional() });

export interface EncounterView {
  id: string;
  patientId: string;
  appointmentId: string | null;
  practitionerId: string | null;
  status: EncounterStatus;
  startedAt: string;
  endedAt: string | null;
  version: number;
}

// ---- notes ----

export const NOTE_KINDS = ['progress', 'soap', 'procedure', 'consult', 'discharge', 'phone', 'other'] as const;
export type NoteKind = (typeof NOTE_KINDS)[number];
export type NoteStatus = 'draft' | 'signed';

export const noteListInput = oneScope(
  z.strictObject({ encounterId: idSchema.optional(), patientId: idSchema.optional(), limit: limit(500, 200) }),
);

export const noteGetInput = z.strictObject({ id: idSchema });

export const noteCreateDraftInput = z.strictObject({ encounterId: idSchema, kind: z.enum(NOTE_KINDS), body: noteBody });

export const noteUpdateDraftInput = z
  .strictObject({ id: idSchema, kind: z.enum(NOTE_KINDS).optional(), body: noteBody.optional(), expectedVersion })
  .refine((n) => n.kind !== undefined || n.body !== undefined, 'must change kind or body');

export const noteSignInput = z.strictObject({ id: idSchema, expectedVersion });

/** An amendment is a new draft note that names the signed note it amends; sign it like any draft. */
export const noteAmendInput = z.strictObject({ noteId: idSchema, body: noteBody, kind: z.enum(NOTE_KINDS).optional() });

export interface NoteView {
  id: string;
  encounterId: string;
  patientId: string;
  /** The signed note this one amends, if it is an amendment. */
  amendsId: string | null;
  /** Notes that amend this one, oldest first. */
  amendedBy: string[];
  kind: NoteKind;
  body: string;
  status: NoteStatus;
  authorId: string;
  signedAt: string | null;
  createdAt: string;
  updatedAt: string;
  version: number;
}

// ---- orders ----

export const ORDER_STATUSES = ['draft', 'active', 'on_hold', 'completed', 'cancelled'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];
export const ORDER_KINDS = ['lab', 'imaging', 'medication', 'procedure', 'referral', 'other'] as const;
/** The statuses an order may be placed in: a draft to finish later, or active at once. */
export const ORDER_INITIAL_STATUSES = ['draft', 'active'] as const satisfies readonly OrderStatus[];
/** The order's code (LOINC, CPT, RxNorm, ...). */
export const orderCode = z.string().trim().regex(/^[A-Za-z0-9.-]{1,20}$/, 'may hold 1 to 20 letters, digits, . and - only');

/** The order state machine: the only moves allowed out of each status (completed and cancelled are final). */
export const ORDER_TRANSITIONS: Record<OrderStatus, readonly OrderStatus[]> = {
  draft: ['active', 'cancelled'],
  active: ['on_hold', 'completed', 'cancelled'],
  on_hold: ['active', 'cancelled'],
  completed: [],
  cancelled: [],
};

const ORDER_STATUS_WORDS: Record<OrderStatus, string> = {
  draft: 'a draft',
  active: 'active',
  on_hold: 'on hold',
  completed: 'completed',
  cancelled: 'cancelled',
};

/** Why an order cannot move from one status to another (a sentence for the UI), or null if it can. */
export function orderTransitionRefusal(from: OrderStatus, to: OrderStatus): string | null {
  if (ORDER_TRANSITIONS[from].includes(to)) return null;
  if (from === to) return `This order is already ${ORDER_STATUS_WORDS[from]}.`;
  const allowed = ORDER_TRANSITIONS[from].map((status) => ORDER_STATUS_WORDS[status]);
  const then = allowed.length === 0 ? 'it is final and cannot change any more' : `it can only become ${allowed.join(' or ')}`;
  return `This order is ${ORDER_STATUS_WORDS[from]} and cannot become ${ORDER_STATUS_WORDS[to]}: ${then}.`;
}

export const orderListInput = oneScope(
  z.strictObject({ encounterId: idSchema.optional(), patientId: idSchema.optional(), status: z.enum(ORDER_STATUSES).optional(), limit: limit(500, 200) }),
);

export const orderGetInput = z.strictObject({ id: idSchema });

export const orderPlaceInput = z.strictObject({
  encounterId: idSchema,
  kind: z.enum(ORDER_KINDS),
  code: orderCode,
  description: label(500),
  status: z.enum(ORDER_INITIAL_STATUSES).default('active'),
});

export const orderTransitionInput = z.strictObject({ id: idSchema, to: z.enum(ORDER_STATUSES), reason: label(200).optional(), expectedVersion });

export interface OrderTransitionView {
  from: OrderStatus | null;
  to: OrderStatus;
  reason: string | null;
  changedBy: string;
  changedAt: string;
}

export interface OrderView {
  id: string;
  encounterId: string;
  patientId: string;
  kind: (typeof ORDER_KINDS)[number];
  code: string;
  description: string;
  status: OrderStatus;
  orderedBy: string;
  createdAt: string;
  updatedAt: string;
  version: number;
}

export type EncounterOpenInput = z.infer<typeof encounterOpenInput>;
export type NoteUpdateDraftInput = z.infer<typeof noteUpdateDraftInput>;
export type OrderPlaceInput = z.infer<typeof orderPlaceInput>;
export type OrderTransitionInput = z.infer<typeof orderTransitionInput>;
