import type { CaseBuilder } from '../support/attack-case.ts';
import { adminCases } from './cases/admin.ts';
import { auditCases } from './cases/audit.ts';
import { authCases } from './cases/auth.ts';
import { clinicalCases } from './cases/clinical.ts';
import { configurationCases } from './cases/configuration.ts';
import { deviceCases } from './cases/devices.ts';
import { patientCases } from './cases/patients.ts';
import { personnelCases } from './cases/personnel.ts';
import { schedulingCases } from './cases/scheduling.ts';
import { syncCases } from './cases/sync.ts';
import { vaultCases } from './cases/vault.ts';
import { exportsCases } from './cases/exports.ts';

/**
 * The attack material for every procedure of the sync server, by path (one file per
 * router under cases/). A procedure the router serves without an entry here fails
 * test/isolation/procedure-coverage.test.ts: a new procedure cannot ship without its
 * attacker's cases.
 *
 * Each builder gets the two-org fixture (test/support/attack-fixture.ts, data planted by
 * planted-data.ts) and returns a valid input for org A (the control call must succeed), B's
 * id for every id field (a check fails on a UUID-valued field left out), and the
 * procedure's own attacks. The valid input must hold every string field of the input
 * schema (checked); header, cross-id, forbidden-role and injection attacks are generated
 * for every procedure by test/support/attack-runner.ts.
 */
export const PROCEDURE_CASES: Record<string, CaseBuilder> = {
  ...authCases,
  ...adminCases,
  ...syncCases,
  ...schedulingCases,
  ...patientCases,
  ...auditCases,
  ...clinicalCases,
  ...personnelCases,
  ...configurationCases,
  ...deviceCases,
  ...vaultCases,
  ...exportsCases,
};
