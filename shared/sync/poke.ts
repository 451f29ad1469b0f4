import { z } from 'zod';
import { SYNCED_DOMAINS } from '../domains.ts';

/** What a live subscription carries: only "domain X of your org changed" (never data). */
export const pokeSchema = z.object({ domain: z.enum(SYNCED_DOMAINS) });
export type Poke = z.infer<typeof pokeSchema>;
