import { PROTOCOL_VERSION } from '../../shared/sync/version.ts';
import { authRouter } from './routers/auth.ts';
import { syncRouter } from './routers/sync.ts';
import { publicProcedure, router } from './trpc.ts';

/** Serves exactly the paths of shared/sync/procedures.ts SYNC_PROCEDURES (a test checks). */
export const syncServerRouter = router({
  health: publicProcedure.meta({ unaudited: true }).query(() => ({ status: 'ok' as const, protocolVersion: PROTOCOL_VERSION })),
  auth: authRouter,
  sync: syncRouter,
});

export type SyncServerRouter = typeof syncServerRouter;
