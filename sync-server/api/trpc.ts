import { initTRPC } from '@trpc/server';
import { AppError } from '../../shared/errors.ts';
import type { RequestContext } from './context.ts';
import { describeError, toTrpcError } from './error-mapping.ts';
import { enterRequest } from './request-entry.ts';

/**
 * The error formatter is the single exit for errors: `error.data.appCode` carries the
 * shared ErrorCode, `message` a sentence for the person at the desk; no stack, no SQL,
 * no PHI (unknown errors become INTERNAL with a generic sentence).
 */
const t = initTRPC.context<RequestContext>().create({
  isServer: true,
  errorFormatter({ shape, error }) {
    const described = describeError(error);
    return {
      code: shape.code,
      message: described.message,
      data: {
        appCode: described.code,
        httpStatus: described.httpStatus,
        path: shape.data.path,
        ...(described.issues ? { issues: described.issues } : {}),
      },
    };
  },
});

export const router = t.router;

/** Turns an AppError thrown anywhere below into a TRPCError with the mapped code. */
const appErrors = t.middleware(async ({ next }) => {
  const result = await next();
  if (!result.ok && result.error.cause instanceof AppError) throw toTrpcError(result.error.cause);
  return result;
});

export const publicProcedure = t.procedure.use(appErrors);

/** Every procedure except health and auth.signIn: runs only after request entry admitted the caller. */
export const tenantProcedure = publicProcedure.use(async ({ ctx, next }) => {
  const session = await enterRequest(ctx.services, ctx.credentials);
  return next({ ctx: { ...ctx, session } });
});
