import { z } from 'zod';
import { idSchema } from '../../shared/ids.ts';
import { typeNameSchema } from '../domains/process_automation/type-name.ts';

/**
 * What travels on the bus. The org id is part of every envelope: a consumer re-establishes
 * that org's tenant context from it and from nothing else.
 */
export const eventEnvelopeSchema = z.strictObject({
  id: idSchema,
  tenantId: idSchema,
  type: typeNameSchema,
  occurredAt: z.iso.datetime({ offset: true }),
  payload: z.record(z.string(), z.unknown()),
});

export type EventEnvelope = z.infer<typeof eventEnvelopeSchema>;

export type EnvelopeCheck =
  | { ok: true; envelope: EventEnvelope }
  /** TENANT_REQUIRED: the org id is missing or not an id; VALIDATION: anything else is malformed. */
  | { ok: false; code: 'TENANT_REQUIRED' | 'VALIDATION'; type: string | null; id: string | null };

/** Validates what a bus delivered, saying whether the org id itself was the problem. */
export function checkEnvelope(raw: unknown): EnvelopeCheck {
  const parsed = eventEnvelopeSchema.safeParse(raw);
  if (parsed.success) return { ok: true, envelope: parsed.data };
  const tenantBad = parsed.error.issues.some((issue) => issue.path[0] === 'tenantId') || typeof raw !== 'object' || raw === null;
  const fields = typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>) : {};
  const type = typeNameSchema.safeParse(fields.type);
  const id = idSchema.safeParse(fields.id);
  return { ok: false, code: tenantBad ? 'TENANT_REQUIRED' : 'VALIDATION', type: type.success ? type.data : null, id: id.success ? id.data : null };
}
