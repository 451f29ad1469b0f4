import { z } from 'zod';
import { linkByCodeInput, linkExistingInput } from '../../shared/api/patients.ts';
import { patientFieldsSchema } from '../../shared/entities/patient.ts';
import { findDuplicatePatients, patientRowById } from '../store/patient-duplicates.ts';
import { needs } from './capability-gate.ts';
import { t } from './trpc.ts';

const patientListSchema = z
  .object({ search: z.string().max(100).optional(), limit: z.number().int().min(1).max(500).optional() })
  .optional();

/** What the registration form has typed: the fields the match uses, phone and MRN optional. */
const duplicatesSchema = patientFieldsSchema
  .pick({ givenName: true, familyName: true, birthDate: true })
  .extend({ phone: patientFieldsSchema.shape.phone.optional(), mrn: patientFieldsSchema.shape.mrn.optional() });

/**
 * patients.*: the desk's search, registration, duplicate check (all on the local store, so
 * offline too) and linking an existing patient identity (on the server, online only).
 */
export const patientsRouter = t.router({
  list: t.procedure.input(patientListSchema).query(({ ctx, input }) => ctx.backend.store().listPatients({ search: input?.search, limit: input?.limit })),
  create: t.procedure.input(patientFieldsSchema).mutation(({ ctx, input }) => {
    const created = ctx.backend.store().patients.create(input);
    ctx.backend.afterLocalWrite();
    return created;
  }),
  /** Likely duplicates in this org of a patient about to be registered (patient-duplicates.ts). */
  duplicates: needs('patients.read')
    .input(duplicatesSchema)
    .query(({ ctx, input }) => findDuplicatePatients(ctx.backend.store().db, input)),
  /** Strong evidence (a): identifier + names + birth date. `patient`: as pulled into this store (null: it arrives with the next sync). */
  linkExisting: needs('patients.link')
    .input(linkExistingInput)
    .mutation(async ({ ctx, input }) => {
      const { patientId } = await ctx.backend.linkPatient({ by: 'identifier', ...input });
      return { patientId, patient: patientRowById(ctx.backend.store().db, patientId) ?? null };
    }),
  /** Strong evidence (b): the link code the patient got from another org + birth date. */
  linkByCode: needs('patients.link')
    .input(linkByCodeInput)
    .mutation(async ({ ctx, input }) => {
      const { patientId } = await ctx.backend.linkPatient({ by: 'code', ...input });
      return { patientId, patient: patientRowById(ctx.backend.store().db, patientId) ?? null };
    }),
});
