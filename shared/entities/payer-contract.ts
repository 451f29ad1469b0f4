import { z } from 'zod';
import { isoDate } from './patient.ts';

/**
 * One of the org's payer contracts (configuration): which fee schedule applies to which
 * payer and plan when, so the desk can tell a patient whether their plan is accepted.
 *
 * Synced: payer, plan, dates, fee_schedule_ref. The ref only names a fee schedule; it
 * holds no rates, credentials or account numbers. NOT synced: updated_by (internal user id).
 */
export const payerContractFieldsSchema = z.object({
  payerName: z.string().trim().min(1, 'is required').max(200, 'is too long'),
  planName: z.string().trim().min(1, 'is required').max(200, 'is too long'),
  effectiveFrom: isoDate,
  effectiveTo: isoDate.nullable(),
  feeScheduleRef: z.string().regex(/^[A-Za-z0-9._-]{1,60}$/, 'may hold 1 to 60 letters, digits and . _ - only'),
});

export type PayerContractFields = z.infer<typeof payerContractFieldsSchema>;
