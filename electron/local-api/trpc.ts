import { initTRPC } from '@trpc/server';
import type { LocalContext } from './backend.ts';
import { describeError, errorData } from './errors.ts';

/** The local API's tRPC instance: no transformer (plain JSON over HTTP and IPC alike). */
const base = initTRPC.context<LocalContext>().create({
  errorFormatter({ shape, error }) {
    const view = describeError(error);
    return { code: shape.code, message: view.message, data: errorData(view, shape.data.path) };
  },
});

/**
 * Every procedure passes the session gate first (idle lock, locked screen, activity), in
 * this one place rather than per procedure, so a procedure added later is gated too.
 */
const gated = base.procedure.use(({ ctx, path, next }) => {
  ctx.backend.beforeCall(path);
  return next();
});

export const t = { router: base.router, procedure: gated, createCallerFactory: base.createCallerFactory };
