import { z } from 'zod';

/** Display text typed at the desk: trimmed, bounded, no control characters (a NUL byte would reach the database). */
export const label = (max: number) =>
  z.string().trim().min(1, 'is required').max(max, 'is too long').regex(/^[^\p{Cc}]*$/u, 'may not hold control characters');
