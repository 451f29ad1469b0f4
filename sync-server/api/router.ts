import { adminRouter } from './routers/admin.ts';
import { auditRouter } from './routers/audit.ts';
import { authRouter } from './routers/auth.ts';
import { clinicalRouter } from './routers/clinical.ts';
import { configurationRouter } from './routers/configuration.ts';
import { devicesRouter } from './routers/devices.ts';
import { personnelRouter } from './routers/personnel.ts';
import { patientsRouter } from './routers/patients.ts';
import { schedulingRouter } from './routers/scheduling.ts';
import { syncRouter } from './routers/sync.ts';
import { vaultRouter } from './routers/vault.ts';
import { exportsRouter } from './routers/exports.ts';
import { publicProcedure, router } from './trpc.ts';

/** Serves exactly the paths of shared/sync/procedures.ts SYNC_PROCEDURES (a test checks). */
export const syncServerRouter = router({
  health: publicProcedure.meta({ unaudited: true }).query(({ ctx }) => ({ status: 'ok' as const, protocolVersion: ctx.services.protocolVersion })),
  auth: authRouter,
  devices: devicesRouter,
  admin: adminRouter,
  sync: syncRouter,
  scheduling: schedulingRouter,
  patients: patientsRouter,
  audit: auditRouter,
  clinical: clinicalRouter,
  personnel: personnelRouter,
  configuration: configurationRouter,
  vault: vaultRouter,
  exports: exportsRouter,
});

export type SyncServerRouter = typeof syncServerRouter;
