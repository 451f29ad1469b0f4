import { z } from 'zod';
import { ENTITY_CATALOG, ENTITY_NAMES, type EntityName } from '../entities/catalog.ts';
import { hlcSchema } from '../hlc.ts';
import { idSchema } from '../ids.ts';

/**
 * One local change, as queued in the workstation's outbox and pushed to the server.
 * `fields` holds only the fields this change sets (field-level merge by HLC); a create
 * carries them all. `baseVersion` is the server version the edit was made on (null: new).
 */
const partialSchemas = new Map<EntityName, z.ZodType>();

/**
 * An entity's "any subset of its fields, nothing else" schema, built once per entity: zod
 * compiles a schema on first use, so building one per mutation cost ~25x checking with it.
 */
export function partialFieldsSchema(entity: EntityName): z.ZodType {
  let schema = partialSchemas.get(entity);
  if (!schema) partialSchemas.set(entity, (schema = ENTITY_CATALOG[entity].fields.partial().strict()));
  return schema;
}

export const mutationSchema = z
  .object({
    mutationId: idSchema,
    entity: z.enum(ENTITY_NAMES as [EntityName, ...EntityName[]]),
    id: idSchema,
    op: z.enum(['upsert', 'delete']),
    fields: z.record(z.string(), z.unknown()),
    hlc: hlcSchema,
    baseVersion: z.number().int().nonnegative().nullable(),
  })
  .superRefine((mutation, ctx) => {
    if (mutation.op === 'delete') return;
    const parsed = partialFieldsSchema(mutation.entity).safeParse(mutation.fields);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) ctx.addIssue({ ...issue, path: ['fields', ...issue.path] } as never);
    }
  });

export type Mutation = z.infer<typeof mutationSchema>;

export const MAX_PUSH_BATCH = 500;

export const pushInputSchema = z.object({
  protocolVersion: z.number().int(),
  deviceId: idSchema,
  mutations: z.array(mutationSchema).min(1).max(MAX_PUSH_BATCH),
});
export type PushInput = z.infer<typeof pushInputSchema>;

export const mutationResultSchema = z.object({
  mutationId: idSchema,
  status: z.enum(['applied', 'duplicate', 'rejected']),
  /** Set when rejected: an ErrorCode and a sentence the UI can show. */
  code: z.string().optional(),
  reason: z.string().optional(),
});
export type MutationResult = z.infer<typeof mutationResultSchema>;

export const pushResultSchema = z.object({
  protocolVersion: z.number().int(),
  /** The org the server applied the batch to: a workstation refuses an acknowledgement for another org. */
  tenantId: idSchema,
  results: z.array(mutationResultSchema),
  serverHlc: hlcSchema,
});
export type PushResult = z.infer<typeof pushResultSchema>;
