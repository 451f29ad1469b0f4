import {
  encounterCloseInput,
  encounterGetInput,
  encounterListInput,
  encounterOpenInput,
  noteAmendInput,
  noteCreateDraftInput,
  noteGetInput,
  noteListInput,
  noteSignInput,
  noteUpdateDraftInput,
  orderGetInput,
  orderListInput,
  orderPlaceInput,
  orderTransitionInput,
} from '../../../shared/api/clinical.ts';
import { authorized, router } from '../trpc.ts';

/**
 * clinical.*: encounters, notes and orders. Encounters carry no note contents, so the
 * front desk may see and open them; notes and orders need the clinical capabilities.
 * Ids named in the input are put on the audit trail before the service runs, so a refused
 * attempt on another org's id is recorded with the id it tried.
 */
export const clinicalRouter = router({
  encounters: router({
    list: authorized('encounters.read')
      .input(encounterListInput)
      .query(async ({ ctx, input }) => {
        if (input.patientId) ctx.audit.note('patientId', input.patientId);
        const encounters = await ctx.services.encounters.list(ctx.session.tenantId, input);
        ctx.audit.touched('encounter', encounters.map((e) => e.id));
        return encounters;
      }),

    get: authorized('encounters.read')
      .input(encounterGetInput)
      .query(async ({ ctx, input }) => {
        ctx.audit.touched('encounter', [input.id]);
        return ctx.services.encounters.get(ctx.session.tenantId, input.id);
      }),

    open: authorized('encounters.write')
      .input(encounterOpenInput)
      .mutation(async ({ ctx, input }) => {
        ctx.audit.note('patientId', input.patientId);
        const encounter = await ctx.services.encounters.open(ctx.session.tenantId, ctx.session.userId, input);
        ctx.audit.touched('encounter', [encounter.id]);
        return encounter;
      }),

    close: authorized('encounters.write')
      .input(encounterCloseInput)
      .mutation(async ({ ctx, input }) => {
        ctx.audit.touched('encounter', [input.id]);
        return ctx.services.encounters.close(ctx.session.tenantId, ctx.session.userId, input);
      }),
  }),

  notes: router({
    list: authorized('notes.read')
      .input(noteListInput)
      .query(async ({ ctx, input }) => {
        if (input.encounterId) ctx.audit.note('encounterId', input.encounterId);
        if (input.patientId) ctx.audit.note('patientId', input.patientId);
        const notes = await ctx.services.notes.list(ctx.session.tenantId, input);
        ctx.audit.touched('note', notes.map((n) => n.id));
        return notes;
      }),

    get: authorized('notes.read')
      .input(noteGetInput)
      .query(async ({ ctx, input }) => {
        ctx.audit.touched('note', [input.id]);
        return ctx.services.notes.get(ctx.session.tenantId, input.id);
      }),

    createDraft: authorized('notes.write')
      .input(noteCreateDraftInput)
      .mutation(async ({ ctx, input }) => {
        ctx.audit.note('encounterId', input.encounterId);
        const note = await ctx.services.notes.createDraft(ctx.session.tenantId, ctx.session.userId, input);
        ctx.audit.touched('note', [note.id]);
        return note;
      }),

    updateDraft: authorized('notes.write')
      .input(noteUpdateDraftInput)
      .mutation(async ({ ctx, input }) => {
        ctx.audit.touched('note', [input.id]);
        return ctx.services.notes.updateDraft(ctx.session.tenantId, ctx.session.userId, input);
      }),

    sign: authorized('notes.sign')
      .input(noteSignInput)
      .mutation(async ({ ctx, input }) => {
        ctx.audit.touched('note', [input.id]);
        return ctx.services.notes.sign(ctx.session.tenantId, ctx.session.userId, input);
      }),

    amend: authorized('notes.write')
      .input(noteAmendInput)
      .mutation(async ({ ctx, input }) => {
        ctx.audit.touched('note', [input.noteId]);
        const amendment = await ctx.services.notes.amend(ctx.session.tenantId, ctx.session.userId, input);
        ctx.audit.touched('note', [amendment.id]);
        return amendment;
      }),
  }),

  orders: router({
    list: authorized('orders.read')
      .input(orderListInput)
      .query(async ({ ctx, input }) => {
        if (input.encounterId) ctx.audit.note('encounterId', input.encounterId);
        if (input.patientId) ctx.audit.note('patientId', input.patientId);
        const orders = await ctx.services.orders.list(ctx.session.tenantId, input);
        ctx.audit.touched('order', orders.map((o) => o.id));
        return orders;
      }),

    get: authorized('orders.read')
      .input(orderGetInput)
      .query(async ({ ctx, input }) => {
        ctx.audit.touched('order', [input.id]);
        return ctx.services.orders.get(ctx.session.tenantId, input.id);
      }),

    place: authorized('orders.write')
      .input(orderPlaceInput)
      .mutation(async ({ ctx, input }) => {
        ctx.audit.note('encounterId', input.encounterId);
        const order = await ctx.services.orders.place(ctx.session.tenantId, ctx.session.userId, input);
        ctx.audit.touched('order', [order.id]);
        return order;
      }),

    transition: authorized('orders.write')
      .input(orderTransitionInput)
      .mutation(async ({ ctx, input }) => {
        ctx.audit.touched('order', [input.id]);
        ctx.audit.note('to', input.to);
        return ctx.services.orders.transition(ctx.session.tenantId, ctx.session.userId, input);
      }),
  }),
});
