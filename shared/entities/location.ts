import { z } from 'zod';
import { LOCATION_KINDS } from '../api/scheduling.ts';

/**
 * A place where appointments happen (scheduling). Set up online by an admin; workstations
 * only read it (the catalog marks it `editedOnline`). Every field is plain set-up data.
 */
export const locationFieldsSchema = z.object({
  name: z.string().trim().min(1, 'is required').max(100, 'is too long'),
  kind: z.enum(LOCATION_KINDS),
  active: z.boolean(),
});

export type LocationFields = z.infer<typeof locationFieldsSchema>;
