-- Request entry in ONE statement (sync-server/domains/tenant_info/sessions.ts, entry() and
-- find()): every call to the server reads its org and its session first, and as a tenant
-- transaction that cost three round trips (BEGIN with the tenant setting, the read, COMMIT).
-- This function sets the tenant itself, transaction-locally, then reads; the server calls it
-- as one statement in PostgreSQL's implicit transaction (DomainDb.appStatement), so the
-- setting ends with that statement, as withTenant's ends with its transaction.
--
-- SECURITY INVOKER: it runs as the caller, the app role, under the same forced row-level
-- security as any tenant transaction; the app role can set app.tenant_id itself, so the
-- function grants nothing. It refuses to run in a transaction already scoped to another org
-- (its setting would outlive it there).
--
-- The session rules (live, unrevoked, unexpired; device not revoked; account enabled and in
-- the org's sign-in namespace; a membership of this org) are stated here only: find() reads
-- through this function too. No org row: no row at all. A NULL token hash: the org's row
-- with a NULL session.
CREATE FUNCTION tenant_info.request_entry(p_tenant_id uuid, p_token_hash text)
RETURNS TABLE (tenant tenant_info.tenants, "sessionId" text, "tenantId" text, "userId" text, "deviceId" text, role text)
LANGUAGE plpgsql VOLATILE SECURITY INVOKER SET search_path = pg_catalog, pg_temp AS $$
#variable_conflict use_column
BEGIN
  IF coalesce(current_setting('app.tenant_id', true), '') NOT IN ('', p_tenant_id::text) THEN
    RAISE EXCEPTION 'request_entry called in another org''s tenant context';
  END IF;
  PERFORM set_config('app.tenant_id', p_tenant_id::text, true);
  RETURN QUERY
    SELECT t, s.session_id, s.tenant_id, s.user_id, s.device_id, s.role
    FROM tenant_info.tenants t
    LEFT JOIN (
      SELECT se.id::text AS session_id, se.tenant_id::text AS tenant_id, se.user_id::text AS user_id,
             se.device_id::text AS device_id, m.role AS role
      FROM tenant_info.sessions se
      JOIN tenant_info.memberships m ON m.tenant_id = se.tenant_id AND m.account_id = se.user_id
      JOIN tenant_info.accounts a ON a.id = m.account_id AND a.login = m.login
      JOIN tenant_info.tenants st ON st.id = se.tenant_id
      JOIN tenant_info.devices d ON d.tenant_id = se.tenant_id AND d.id = se.device_id
      WHERE se.tenant_id = p_tenant_id AND se.token_hash = p_token_hash
        AND se.revoked_at IS NULL AND se.expires_at > now()
        AND d.revoked_at IS NULL AND NOT a.disabled
        AND a.namespace = CASE WHEN st.isolation_tier = 'shared' THEN 'shared' ELSE st.id::text END
    ) s ON true
    WHERE t.id = p_tenant_id;
END
$$;
REVOKE ALL ON FUNCTION tenant_info.request_entry(uuid, text) FROM PUBLIC;
