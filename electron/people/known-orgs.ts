import type { OrgDirectory } from './org-directory.ts';

/** An org the switcher may offer: one this person signed in to here before, with its store still on this workstation. */
export interface KnownOrg {
  code: string;
  name: string;
  tenantId: string;
  /** The org whose store is open now. */
  current: boolean;
}

/**
 * The orgs the signed-in person may switch to on this workstation: those they have signed
 * in to here (`theirs`, from org-people.ts: keyed tags, no usernames on disk) whose store
 * is still here, and the open one. From orgs.json and that list alone: no other org's
 * store is opened to look inside (one store open at a time), and whether they may still
 * unlock it is decided when they switch (the server, or that store's verifier offline).
 * Another person's orgs on the same workstation are never named. The list holds org names
 * and codes only, never people or PHI.
 */
export function listKnownOrgs(
  orgs: Pick<OrgDirectory, 'list'>,
  storeExists: (tenantId: string) => boolean,
  currentTenantId: string | null,
  theirs: ReadonlySet<string>,
): KnownOrg[] {
  return orgs
    .list()
    .filter((org) => org.tenantId === currentTenantId || (theirs.has(org.tenantId) && storeExists(org.tenantId)))
    .map((org) => ({ code: org.code, name: org.name, tenantId: org.tenantId, current: org.tenantId === currentTenantId }))
    .sort((a, b) => a.name.localeCompare(b.name));
}
