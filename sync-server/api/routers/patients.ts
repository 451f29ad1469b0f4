import {
  identifierAddInput,
  linkByCodeInput,
  linkCodeIssueInput,
  linkExistingInput,
  patientGetInput,
  patientListInput,
  patientSearchInput,
} from '../../../shared/api/patients.ts';
import { authorized, router } from '../trpc.ts';

/**
 * patients.*: the org's own patients (through its live links), the identifiers it records,
 * and linking an existing patient identity on strong evidence. Ids a caller names are put
 * on the audit trail before the lookup, so a refused id is recorded too.
 */
export const patientsRouter = router({
  list: authorized('patients.read')
    .input(patientListInput)
    .query(async ({ ctx, input }) => {
      const patients = await ctx.services.patientRegistry.directory.list(ctx.session.tenantId, input);
      ctx.audit.touched('patient', patients.map((p) => p.id));
      return patients;
    }),

  get: authorized('patients.read')
    .input(patientGetInput)
    .query(async ({ ctx, input }) => {
      ctx.audit.touched('patient', [input.id]);
      return ctx.services.patientRegistry.directory.get(ctx.session.tenantId, input.id);
    }),

  search: authorized('patients.read')
    .input(patientSearchInput)
    .query(async ({ ctx, input }) => {
      const patients = await ctx.services.patientRegistry.directory.search(ctx.session.tenantId, input);
      ctx.audit.touched('patient', patients.map((p) => p.id));
      return patients;
    }),

  identifiers: router({
    add: authorized('patients.write')
      .input(identifierAddInput)
      .mutation(async ({ ctx, input }) => {
        ctx.audit.touched('patient', [input.patientId]);
        ctx.audit.note('identifierSystem', input.system);
        return ctx.services.patientRegistry.identifiers.add(ctx.session.tenantId, input.patientId, input);
      }),
  }),

  linkExisting: authorized('patients.link')
    .input(linkExistingInput)
    .mutation(async ({ ctx, input }) => {
      ctx.audit.touched('patient', []);
      ctx.audit.note('evidence', 'identifier');
      ctx.audit.note('identifierSystem', input.system);
      const patient = await ctx.services.patientRegistry.linking.linkExisting(ctx.session.tenantId, input);
      ctx.audit.touched('patient', [patient.id]);
      return patient;
    }),

  linkByCode: authorized('patients.link')
    .input(linkByCodeInput)
    .mutation(async ({ ctx, input }) => {
      ctx.audit.touched('patient', []);
      ctx.audit.note('evidence', 'link_code');
      const patient = await ctx.services.patientRegistry.linking.linkByCode(ctx.session.tenantId, input);
      ctx.audit.touched('patient', [patient.id]);
      return patient;
    }),

  linkCode: router({
    issue: authorized('patients.write')
      .input(linkCodeIssueInput)
      .mutation(async ({ ctx, input }) => {
        ctx.audit.touched('patient', [input.patientId]);
        const issued = await ctx.services.patientRegistry.linking.issueCode(ctx.session.tenantId, ctx.session.userId, input.patientId, input.ttlHours);
        ctx.audit.note('linkCodeId', issued.codeId);
        return { code: issued.code, expiresAt: issued.expiresAt };
      }),
  }),
});
