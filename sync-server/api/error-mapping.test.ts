import { TRPCError } from '@trpc/server';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AppError, ERROR_CODES, HTTP_STATUS } from '../../shared/errors.ts';
import { describeError, toTrpcError } from './error-mapping.ts';

describe('error mapping', () => {
  it('keeps every AppError code and its HTTP status', () => {
    for (const code of ERROR_CODES) {
      const described = describeError(toTrpcError(new AppError(code, 'A sentence.')));
      expect(described).toEqual({ code, message: 'A sentence.', httpStatus: HTTP_STATUS[code] });
    }
  });

  it('carries how long a RATE_LIMITED caller should wait', () => {
    const described = describeError(toTrpcError(new AppError('RATE_LIMITED', 'Slow down.', { retryAfterMs: 1_250 })));
    expect(described).toEqual({ code: 'RATE_LIMITED', message: 'Slow down.', httpStatus: 429, retryAfterMs: 1_250 });
  });

  it('says a request body past the limit is too large (413, VALIDATION), not that the server failed', () => {
    expect(describeError(new TRPCError({ code: 'PAYLOAD_TOO_LARGE' }))).toEqual({ code: 'VALIDATION', message: 'The request is too large for the sync server (at most 1 MiB).', httpStatus: 413 });
  });

  it('turns unknown errors into a generic INTERNAL without their text', () => {
    const cause = Object.assign(new Error('duplicate key value (phone)=(555-0100) in SELECT * FROM patients'), { code: '23505' });
    const described = describeError(new TRPCError({ code: 'INTERNAL_SERVER_ERROR', cause }));
    expect(described.code).toBe('INTERNAL');
    expect(described.message).not.toMatch(/555|SELECT|patients|duplicate/);
  });

  it('reports schema failures by field path and rule, never the value', () => {
    const result = z.object({ birthDate: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date') }).safeParse({ birthDate: 'Jane Doe 1970' });
    expect(result.success).toBe(false);
    const described = describeError(new TRPCError({ code: 'BAD_REQUEST', cause: result.error }));
    expect(described.code).toBe('VALIDATION');
    expect(described.issues).toEqual([{ path: 'birthDate', message: 'must be a date' }]);
    expect(JSON.stringify(described)).not.toContain('Jane');
  });
});
