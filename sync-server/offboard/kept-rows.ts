/**
 * What offboarding keeps of an org, and why. Everything else of the org is deleted in all
 * eight domain databases. None of what is kept is PHI: ids, hashes, roles, times, and
 * pseudonyms in place of the names people signed in with.
 *
 * Tables with tenant_id whose org rows stay:
 * - tenant_info.devices: each workstation's id and enrollment-credential hash, so a
 *   workstation that wipes its copy later can still prove it and report the wipe
 *   (sync-server/domains/tenant_info/wipe-reports.ts); its name is replaced by SCRUBBED_DEVICE_NAME.
 * - tenant_info.sessions: token hashes (all revoked), the other proof a wipe report may carry.
 * - tenant_info.memberships: the role a session-proved wipe report is audited with; the
 *   login is the account's pseudonym (see accounts).
 * - tenant_info.placements: routes the org's remaining audit chain to the shared databases.
 * - audit.events, audit.chain_heads: the org's chain is removed as a whole with its data;
 *   a NEW chain holds the offboarding's own admin entries from the deletion on (ids,
 *   counts, hashes, times), then any refused request or wipe report that arrives later.
 *
 * Above the org:
 * - tenant_info.tenants: the org's directory row (id, code, name, kind, status, policy
 *   values): the tombstone that answers ORG_OFFBOARDED, so every workstation still holding
 *   a copy learns to wipe it. The org's name is its business name, not PHI.
 * - tenant_info.accounts that only this org used: login, display name and password are
 *   replaced by a pseudonym, a placeholder and an unusable hash (the memberships above
 *   reference the account row).
 * - master_data.patients linked by another org too: that org's patient, untouched.
 */
export const KEPT_TABLES: Readonly<Record<string, string>> = {
  'tenant_info.devices': 'workstation ids and credential hashes, to accept wipe reports',
  'tenant_info.sessions': 'revoked session token hashes, to accept wipe reports',
  'tenant_info.memberships': 'the role a wipe report is audited with (pseudonymous login)',
  'tenant_info.placements': "routes the org's remaining audit chain",
  'audit.events': 'the new chain: the offboarding and later refusals and wipe reports (no PHI)',
  'audit.chain_heads': "the new chain's head",
  'tenant_info.tenants#own': 'the tombstone answering ORG_OFFBOARDED',
  'tenant_info.accounts#exclusive': 'pseudonymised, referenced by the kept memberships',
};

export const SCRUBBED_DEVICE_NAME = 'offboarded workstation';
export const SCRUBBED_DISPLAY_NAME = 'offboarded';
/** Never a valid scrypt record: verifyPassword answers false for it. */
export const UNUSABLE_PASSWORD_HASH = '!offboarded';
export const pseudonymSql = (alias: string) => `'offboarded-' || ${alias}.id::text`;

export const isKept = (domain: string, table: string) => Object.hasOwn(KEPT_TABLES, `${domain}.${table}`);
