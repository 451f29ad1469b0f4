import { initTRPC } from '@trpc/server';
import type { LocalContext } from './backend.ts';
import { describeError, errorData } from './errors.ts';

/** The local API's tRPC instance: no transformer (plain JSON over HTTP and IPC alike). */
export const t = initTRPC.context<LocalContext>().create({
  errorFormatter({ shape, error }) {
    const view = describeError(error);
    return { code: shape.code, message: view.message, data: errorData(view, shape.data.path) };
  },
});
