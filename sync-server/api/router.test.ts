import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { CAPABILITY_NAMES, renderCapabilityTable } from '../../shared/auth/capabilities.ts';
import { ROLES } from '../../shared/sync/auth.ts';
import { SYNC_PROCEDURES } from '../../shared/sync/procedures.ts';
import { syncServerRouter } from './router.ts';
import type { ProcedureMeta } from './trpc.ts';

/** Health and sign-in; enrollment (the IT token is the authority) and the wipe report (its own proof, after revocation). */
const PUBLIC_PATHS = [SYNC_PROCEDURES.health, SYNC_PROCEDURES.signIn, SYNC_PROCEDURES.enroll, SYNC_PROCEDURES.reportWipe];

function metaOf(path: string): ProcedureMeta | undefined {
  const procedure = (syncServerRouter._def.procedures as unknown as Record<string, { _def: { meta?: ProcedureMeta } }>)[path];
  return procedure?._def.meta;
}

describe('sync server router', () => {
  const paths = Object.keys(syncServerRouter._def.procedures).sort();

  it('serves every procedure path of the sync protocol (SYNC_PROCEDURES)', () => {
    for (const path of Object.values(SYNC_PROCEDURES)) expect(paths).toContain(path);
  });

  it('has every procedure declare a capability, except the explicitly public ones', () => {
    const undeclared = paths.filter((path) => !PUBLIC_PATHS.includes(path as (typeof PUBLIC_PATHS)[number]) && !metaOf(path)?.capability);
    expect(undeclared).toEqual([]);
    for (const path of PUBLIC_PATHS) expect(metaOf(path)?.public).toBe(true);
    // A public procedure outside the list would be an unauthenticated door.
    expect(paths.filter((path) => metaOf(path)?.public && !metaOf(path)?.capability)).toEqual([...PUBLIC_PATHS].sort());
  });

  it('uses only capabilities that exist', () => {
    for (const path of paths) {
      const capability = metaOf(path)?.capability;
      if (capability) expect(CAPABILITY_NAMES).toContain(capability);
    }
  });

  it('README carries the roles × capabilities table exactly as the code defines it', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    expect(readme).toContain(renderCapabilityTable(ROLES));
  });
});
