import { z } from 'zod';
import { SYNCED_DOMAINS } from '../domains.ts';
import { ENTITY_NAMES, type EntityName } from '../entities/catalog.ts';
import { hlcSchema } from '../hlc.ts';
import { idSchema } from '../ids.ts';

/** Cursors are server-assigned change sequence numbers, as decimal strings (bigint-safe). */
export const cursorSchema = z.string().regex(/^(0|[1-9]\d{0,18})$/, 'must be a change sequence number');
export const MAX_PULL_PAGE = 5000;

export const pullInputSchema = z.object({
  protocolVersion: z.number().int(),
  domain: z.enum(SYNCED_DOMAINS),
  cursor: cursorSchema,
  limit: z.number().int().min(1).max(MAX_PULL_PAGE).default(1000),
  /**
   * Bootstrap progress: count the feed rows after each of these cursors (`remaining` on the
   * answer). A count per domain, so a device asks only on a first download's first request.
   */
  countAfter: z.array(z.object({ domain: z.enum(SYNCED_DOMAINS), cursor: cursorSchema })).max(SYNCED_DOMAINS.length).optional(),
});
export type PullInput = z.input<typeof pullInputSchema>;

/** The current state of one entity after the change at `seq` (or its deletion). */
export const changeSchema = z.object({
  seq: cursorSchema,
  entity: z.enum(ENTITY_NAMES as [EntityName, ...EntityName[]]),
  id: idSchema,
  op: z.enum(['upsert', 'delete']),
  fields: z.record(z.string(), z.unknown()).nullable(),
  /** Per-field HLC of the winning values, so a device merges its unsent edits correctly. */
  fieldHlc: z.record(z.string(), hlcSchema),
  version: z.number().int().nonnegative(),
});
export type Change = z.infer<typeof changeSchema>;

export const pullPageSchema = z.object({
  protocolVersion: z.number().int(),
  /** The org whose rows these are; a store for another org refuses the page. */
  tenantId: idSchema,
  domain: z.enum(SYNCED_DOMAINS),
  changes: z.array(changeSchema),
  cursor: cursorSchema,
  hasMore: z.boolean(),
  serverHlc: hlcSchema,
  /** Only when asked (countAfter): feed rows after each cursor, an upper bound of the rows still to come. */
  remaining: z.array(z.object({ domain: z.enum(SYNCED_DOMAINS), rows: z.number().int().nonnegative() })).optional(),
});
export type PullPage = z.infer<typeof pullPageSchema>;
