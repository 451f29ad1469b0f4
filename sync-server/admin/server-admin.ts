import type { DatabaseSet } from '../db/domain-db.ts';
import type { Services } from '../services.ts';
import { createAuditAdmin, type AuditAdmin } from './audit-admin.ts';
import { createCoreAdmin, type CoreAdmin } from './core-admin.ts';
import { createDirectoryAdmin, type DirectoryAdmin } from './directory-admin.ts';
import { createPlacementAdmin, type PlacementAdmin } from './placement-admin.ts';

/**
 * Explicit system access for the CLI, the demo seed and tests, one file per area. Every
 * method names the org it acts on; nothing here is reachable from the network.
 */
export type ServerAdmin = CoreAdmin & DirectoryAdmin & AuditAdmin & PlacementAdmin;

export function createServerAdmin(services: Services, databases: DatabaseSet): ServerAdmin {
  return { ...createCoreAdmin(services, databases), ...createDirectoryAdmin(services), ...createAuditAdmin(services), ...createPlacementAdmin(services, databases) };
}
