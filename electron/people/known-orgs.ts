import type { OrgDirectory } from './org-directory.ts';

/** An org the switcher may offer: signed in to online here before, with its store still on this workstation. */
export interface KnownOrg {
  code: string;
  name: string;
  tenantId: string;
  /** The org whose store is open now. */
  current: boolean;
}

/**
 * The orgs this workstation holds, from orgs.json alone: no other org's store is opened
 * to look inside (one store open at a time), so whether this person may unlock one is
 * decided when they switch (the server, or that store's verifier offline). The list holds
 * org names and codes only, never people or PHI.
 */
export function listKnownOrgs(orgs: Pick<OrgDirectory, 'list'>, storeExists: (tenantId: string) => boolean, currentTenantId: string | null): KnownOrg[] {
  return orgs
    .list()
    .filter((org) => org.tenantId === currentTenantId || storeExists(org.tenantId))
    .map((org) => ({ code: org.code, name: org.name, tenantId: org.tenantId, current: org.tenantId === currentTenantId }))
    .sort((a, b) => a.name.localeCompare(b.name));
}
