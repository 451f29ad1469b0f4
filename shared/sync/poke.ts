import { z } from 'zod';
import { SYNCED_DOMAINS } from '../domains.ts';
import { idSchema } from '../ids.ts';

/**
 * What a live subscription carries: only "domain X of your org changed" (never data). The
 * org is named so the workstation can refuse a poke meant for another org's store.
 */
export const pokeSchema = z.object({ tenantId: idSchema, domain: z.enum(SYNCED_DOMAINS) });
export type Poke = z.infer<typeof pokeSchema>;
