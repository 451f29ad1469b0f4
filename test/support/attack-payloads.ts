/**
 * What an attacker types: classic SQL-injection strings for every string field, and forged
 * org headers / tokens for request entry. Kept in one place so every procedure gets the
 * same list and the count of cases follows from it.
 */

/**
 * Injection strings. The long one stays below what fits in a GET URL (Node's 16 KB header
 * limit), so a query procedure receives it instead of the HTTP layer refusing it first.
 * `tenantSwitch` tries to move the transaction-local tenant setting to another org.
 */
export function injectionPayloads(otherTenantId: string): { name: string; value: string }[] {
  return [
    { name: 'or-true', value: "' OR 1=1 --" },
    { name: 'drop-table', value: "x'; DROP TABLE tenant_info.users; --" },
    { name: 'union-select', value: "' UNION SELECT tenant_id::text, NULL FROM tenant_info.sessions --" },
    { name: 'tenant-switch', value: `'; SELECT set_config('app.tenant_id', '${otherTenantId}', false); --` },
    { name: 'dollar-quote', value: '$$; SELECT pg_sleep(0); $$' },
    { name: 'unicode-quotes', value: 'ʼ OR ‘1’=‘1’ -- ＇；DROP TABLE x' },
    // Refused for every procedure before request entry (sync-server/api/trpc.ts), so its
    // audit entry may land in the unattributed chain rather than the named org's.
    { name: 'nul-byte', value: 'abc\u0000def' },
    { name: 'like-wildcards', value: '%_%\\' },
    { name: 'very-long', value: 'A'.repeat(6000) },
    { name: 'json-break', value: '"}]},{"tenantId":"' + otherTenantId + '"' },
  ];
}

/** Org header values that are not a well-formed org id (request entry: TENANT_REQUIRED). */
export function malformedOrgHeaders(ownTenantId: string, otherCode: string): string[] {
  return [
    otherCode, // an org code instead of its id
    "' OR 1=1 --",
    `${ownTenantId}'; DROP TABLE tenant_info.tenants; --`,
    ownTenantId.toUpperCase(),
    `${ownTenantId},${ownTenantId}`,
    '00000000-0000-0000-0000-000000000000',
  ];
}

/** Tokens that are not a live session of the named org (request entry: UNAUTHENTICATED). */
export function garbledAuthorizations(ownTenantId: string): { name: string; header: string }[] {
  const fakeSecret = 'A'.repeat(43);
  return [
    { name: 'garbage', header: 'Bearer nonsense' },
    { name: 'forged-own-org', header: `Bearer cs1.${ownTenantId}.${fakeSecret}` },
    { name: 'sql-in-token', header: "Bearer ' OR 1=1 --" },
    { name: 'basic-scheme', header: 'Basic YWRtaW46YWRtaW4=' },
    { name: 'empty-bearer', header: 'Bearer ' },
  ];
}
