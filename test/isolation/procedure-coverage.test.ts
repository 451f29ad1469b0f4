import { describe, expect, it } from 'vitest';
import { syncServerRouter } from '../../sync-server/api/router.ts';
import { listProcedures } from '../support/attack-procedures.ts';
import { PROCEDURE_CASES } from './procedure-cases.ts';

/**
 * A procedure without attacker cases must not reach CI: every path the router serves has a
 * case builder in procedure-cases.ts, and no builder is left for a path that is gone.
 */
describe('isolation attack coverage', () => {
  const procedures = listProcedures(syncServerRouter);

  it('has a case builder for every procedure of the sync server', () => {
    const missing = procedures.map((p) => p.path).filter((path) => !(path in PROCEDURE_CASES));
    expect(missing, 'add these to test/isolation/procedure-cases.ts').toEqual([]);
  });

  it('has no builder for a procedure the router does not serve', () => {
    const served = new Set(procedures.map((p) => p.path));
    expect(Object.keys(PROCEDURE_CASES).filter((path) => !served.has(path))).toEqual([]);
  });

  it('knows how each procedure is guarded: a capability, or explicitly public', () => {
    const unguarded = procedures.filter((p) => !p.isPublic && !p.capability).map((p) => p.path);
    expect(unguarded).toEqual([]);
  });
});
