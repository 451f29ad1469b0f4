import { CAPABILITY_NAMES, type Capability } from '../../shared/auth/capabilities.ts';
import type { ProcedureType } from './attack-calls.ts';
import type { Path } from './attack-case.ts';
import { schemaStringPaths } from './attack-schema.ts';

/** What the router says about a procedure. */
export interface ProcedureInfo {
  path: string;
  type: ProcedureType;
  capability: Capability | null;
  isPublic: boolean;
  audited: boolean;
  /** The input schema's string fields (test/support/attack-schema.ts). */
  stringFields: Path[];
}

interface ProcedureDef {
  _def: { type: ProcedureType; meta?: { capability?: string; public?: true; unaudited?: true }; inputs?: unknown[] };
}

/** Every procedure of a router, from `_def.procedures` (so a new one shows up without a list to update). */
export function listProcedures(router: { _def: { procedures: object } }): ProcedureInfo[] {
  return Object.entries(router._def.procedures as Record<string, ProcedureDef>).map(([path, procedure]) => {
    const meta = procedure._def.meta ?? {};
    const capability = (CAPABILITY_NAMES as readonly string[]).includes(meta.capability ?? '') ? (meta.capability as Capability) : null;
    const stringFields = (procedure._def.inputs ?? []).flatMap((schema) => schemaStringPaths(schema));
    return { path, type: procedure._def.type, capability, isPublic: meta.public === true, audited: meta.unaudited !== true, stringFields };
  });
}
