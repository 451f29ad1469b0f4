import type { AddressInfo } from 'node:net';
import { initTRPC, TRPCError } from '@trpc/server';
import { createHTTPServer } from '@trpc/server/adapters/standalone';
import { z } from 'zod';
import { formatHlc } from '../../shared/hlc.ts';
import type { PushInput, PushResult } from '../../shared/sync/mutation.ts';
import type { PullPage } from '../../shared/sync/pull.ts';
import { SYNC_API_PATH } from '../../shared/sync/procedures.ts';

/**
 * A tiny stand-in sync server for unit tests of the engine and transport: real HTTP and
 * real tRPC, answering the shared procedure paths with whatever the test scripts. The
 * real server is exercised by engine.int.test.ts.
 */
export interface FakeSyncServerScript {
  push?: (input: PushInput) => PushResult;
  pull?: (input: { domain: string; cursor: string }) => PullPage;
}

export async function startFakeSyncServer(script: FakeSyncServerScript) {
  const seen: { path: string; headers: Record<string, string | string[] | undefined> }[] = [];
  const t = initTRPC.context<{ headers: Record<string, string | string[] | undefined> }>().create({
    errorFormatter: ({ shape, error }) => ({ ...shape, data: { ...shape.data, appCode: error.cause instanceof Error ? error.cause.message : undefined } }),
  });
  const logged = t.procedure.use(({ ctx, path, next }) => {
    seen.push({ path, headers: ctx.headers });
    return next();
  });
  const serverHlc = () => formatHlc({ ms: Date.now(), counter: 0, node: 'server' });
  const router = t.router({
    sync: t.router({
      push: logged.input(z.any()).mutation(({ input }) => {
        if (!script.push) throw new TRPCError({ code: 'INTERNAL_SERVER_ERROR', cause: new Error('INTERNAL') });
        return script.push(input as PushInput);
      }),
      pull: logged.input(z.any()).query(({ input }) => {
        const { domain, cursor } = input as { domain: string; cursor: string };
        if (!script.pull) return { protocolVersion: 1, tenantId: '00000000-0000-7000-8000-000000000000', domain, changes: [], cursor, hasMore: false, serverHlc: serverHlc() };
        return script.pull({ domain, cursor });
      }),
    }),
  });
  const server = createHTTPServer({
    router,
    basePath: `${SYNC_API_PATH}/`,
    createContext: ({ req }) => ({ headers: req.headers }),
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    serverHlc,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
