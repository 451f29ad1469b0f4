import { z } from 'zod';
import {
  encounterCloseInput,
  encounterOpenInput,
  NOTE_KINDS,
  noteAmendInput,
  noteBody,
  noteCreateDraftInput,
  ORDER_STATUSES,
  orderPlaceInput,
} from '../../shared/api/clinical.ts';
import { AppError } from '../../shared/errors.ts';
import { idSchema } from '../../shared/ids.ts';
import { roleCan } from '../../shared/auth/capabilities.ts';
import { needs } from './capability-gate.ts';
import { t } from './trpc.ts';

/**
 * Clinicians' work on the local store (offline as online): the chart, my day, encounters,
 * notes and orders. Every procedure names the one capability it needs (shared/auth/
 * capabilities.ts), checked after the session gate, so a role is never tested by name and
 * a locked screen still answers STORE_LOCKED first. The clinical rules themselves (signed
 * notes are final, the order state machine) live in the store's records and their shared
 * sentences reach the desk unchanged. Every write wakes the sync engine.
 */

const byId = z.strictObject({ id: idSchema });
const chartInput = z.strictObject({ patientId: idSchema });
/** A clinic calendar day: UTC for now, like the schedule (the practice profile has no time zone yet). */
const myDayInput = z.strictObject({ date: z.iso.date({ message: 'must be a date (YYYY-MM-DD)' }), practitionerId: idSchema });
const noteEditInput = z
  .strictObject({ id: idSchema, kind: z.enum(NOTE_KINDS).optional(), body: noteBody.optional() })
  .refine((n) => n.kind !== undefined || n.body !== undefined, 'must change kind or body');
const orderTransitionInput = z.strictObject({ id: idSchema, to: z.enum(ORDER_STATUSES) });

function clinicDayBounds(date: string): { fromMs: number; toMs: number } {
  const fromMs = Date.parse(`${date}T00:00:00Z`);
  return { fromMs, toMs: fromMs + 86_400_000 };
}

export const clinicalRouter = t.router({
  chart: t.router({
    /**
     * A patient's chart in this org. notes/orders are null (not empty) when the role may not
     * see them, so the screen can say so instead of implying there are none.
     */
    get: needs('encounters.read')
      .input(chartInput)
      .query(({ ctx, input }) => {
        const store = ctx.backend.store();
        if (!store.patients.get(input.patientId)) throw new AppError('NOT_FOUND', 'That patient is not on this workstation.');
        return {
          patientId: input.patientId,
          encounters: store.encounters.ofPatient(input.patientId),
          notes: roleCan(ctx.user.role, 'notes.read') ? store.notes.ofPatient(input.patientId) : null,
          orders: roleCan(ctx.user.role, 'orders.read') ? store.orders.ofPatient(input.patientId) : null,
        };
      }),
  }),
  /**
   * The practitioner's encounters of one day, in time order. A user account is not linked to
   * a practitioner record in the data model, so the screen names the practitioner.
   */
  myDay: needs('encounters.read')
    .input(myDayInput)
    .query(({ ctx, input }) => {
      const { fromMs, toMs } = clinicDayBounds(input.date);
      return { date: input.date, encounters: ctx.backend.store().encounters.ofPractitionerBetween(input.practitionerId, fromMs, toMs) };
    }),
  encounters: t.router({
    open: needs('encounters.write')
      .input(encounterOpenInput)
      .mutation(({ ctx, input }) => {
        const opened = ctx.backend.store().encounters.open(input);
        ctx.backend.afterLocalWrite();
        return opened;
      }),
    close: needs('encounters.write')
      .input(encounterCloseInput)
      .mutation(({ ctx, input }) => {
        ctx.backend.store().encounters.close(input.id, input.endedAt);
        ctx.backend.afterLocalWrite();
      }),
  }),
  notes: t.router({
    createDraft: needs('notes.write')
      .input(noteCreateDraftInput)
      .mutation(({ ctx, input }) => {
        const created = ctx.backend.store().notes.createDraft(ctx.user.userId, input);
        ctx.backend.afterLocalWrite();
        return created;
      }),
    editDraft: needs('notes.write')
      .input(noteEditInput)
      .mutation(({ ctx, input }) => {
        const { id, ...patch } = input;
        ctx.backend.store().notes.editDraft(ctx.user.userId, id, patch);
        ctx.backend.afterLocalWrite();
      }),
    sign: needs('notes.sign')
      .input(byId)
      .mutation(({ ctx, input }) => {
        ctx.backend.store().notes.sign(ctx.user.userId, input.id);
        ctx.backend.afterLocalWrite();
      }),
    /** A new draft that corrects a signed note (which stays as it was); signed like any draft. */
    amend: needs('notes.write')
      .input(noteAmendInput)
      .mutation(({ ctx, input }) => {
        const { noteId, ...amendment } = input;
        const created = ctx.backend.store().notes.amend(ctx.user.userId, noteId, amendment);
        ctx.backend.afterLocalWrite();
        return created;
      }),
  }),
  orders: t.router({
    place: needs('orders.write')
      .input(orderPlaceInput)
      .mutation(({ ctx, input }) => {
        const placed = ctx.backend.store().orders.place(ctx.user.userId, input);
        ctx.backend.afterLocalWrite();
        return placed;
      }),
    transition: needs('orders.write')
      .input(orderTransitionInput)
      .mutation(({ ctx, input }) => {
        ctx.backend.store().orders.transition(input.id, input.to);
        ctx.backend.afterLocalWrite();
      }),
  }),
});
