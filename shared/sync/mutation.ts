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
    /**
     * Per field this change sets, the HLC of the value it replaced on the device ('' for
     * none). The server compares it with what it holds: a different HLC means another
     * device wrote the field meanwhile, a concurrent edit it reports back (FieldConflict).
     */
    baseHlc: z.record(z.string(), z.union([hlcSchema, z.literal('')])).optional(),
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

/**
 * A field this change and another device's change both wrote without seeing each other.
 * Last-writer-wins by HLC decided it; the value that lost must still reach a conflict log,
 * and the pushing device is the one place that holds both: the server says which won and
 * what the other device's value was.
 */
export const fieldConflictSchema = z.object({
  field: z.string(),
  winner: z.enum(['mine', 'theirs']),
  theirValue: z.unknown(),
  theirHlc: hlcSchema,
});
export type FieldConflict = z.infer<typeof fieldConflictSchema>;

export const mutationResultSchema = z.object({
  mutationId: idSchema,
  status: z.enum(['applied', 'duplicate', 'rejected']),
  /** Set when rejected: an ErrorCode and a sentence the UI can show. */
  code: z.string().optional(),
  reason: z.string().optional(),
  /** Set when applied over another device's concurrent edit of the same fields. */
  conflicts: z.array(fieldConflictSchema).optional(),
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
