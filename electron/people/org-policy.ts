import { DEFAULT_ORG_POLICY, orgPolicySchema, type OrgPolicy } from '../../shared/sync/auth.ts';
import type { Db } from '../store/db.ts';
import { readMeta, writeMeta } from '../store/meta.ts';

/** The store's meta key for the org policy last received from the server. */
export const META_ORG_POLICY = 'org_policy';

/**
 * The org's workstation rules, saved in its encrypted store at every online sign-in so the
 * workstation can enforce them while the server is away (offline window, lockout, idle
 * lock, emergency access).
 */
export function saveOrgPolicy(db: Db, policy: OrgPolicy): void {
  writeMeta(db, META_ORG_POLICY, JSON.stringify(orgPolicySchema.parse(policy)));
}

/** The saved policy; the shipped defaults if none was saved or it no longer parses. */
export function readOrgPolicy(db: Db): OrgPolicy {
  const raw = readMeta(db, META_ORG_POLICY);
  if (raw === undefined) return DEFAULT_ORG_POLICY;
  try {
    const parsed = orgPolicySchema.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : DEFAULT_ORG_POLICY;
  } catch {
    return DEFAULT_ORG_POLICY;
  }
}
