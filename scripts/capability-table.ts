/** Prints the README roles × capabilities table from shared/auth/capabilities.ts (paste it when capabilities change). */
import { renderCapabilityTable } from '../shared/auth/capabilities.ts';
import { ROLES } from '../shared/sync/auth.ts';
console.log(renderCapabilityTable(ROLES));
