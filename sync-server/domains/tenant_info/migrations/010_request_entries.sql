-- Several calls' request entry in ONE statement (sync-server/domains/tenant_info/sessions.ts,
-- entry()): every call to the server reads its org and session first, so under load each
-- call paid a round trip of its own for it. This function runs tenant_info.request_entry
-- (migration 007, which states the rules once) for each element, in order, in the caller's
-- one implicit transaction, and answers each element's rows under its position `i`.
--
-- Isolation: the same as N separate statements. Each element's read sets ITS org,
-- transaction-locally, and request_entry refuses to run while another org is set; the
-- setting is cleared after every element, so no element reads under the one before it, and
-- row-level security filters every row each one reads. The server matches answers to calls
-- by `i` only. SECURITY INVOKER: it grants nothing. It refuses to run in a transaction
-- already scoped to an org.
CREATE FUNCTION tenant_info.request_entries(p_calls jsonb)
RETURNS TABLE (i int, tenant tenant_info.tenants, "sessionId" text, "tenantId" text, "userId" text, "deviceId" text, role text)
LANGUAGE plpgsql VOLATILE SECURITY INVOKER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  c record;
BEGIN
  IF coalesce(current_setting('app.tenant_id', true), '') <> '' THEN
    RAISE EXCEPTION 'request_entries called in an org''s tenant context';
  END IF;
  FOR c IN
    SELECT x.i, x.tenant_id, x.token_hash FROM jsonb_to_recordset(p_calls) AS x (i int, tenant_id uuid, token_hash text) ORDER BY x.i
  LOOP
    RETURN QUERY SELECT c.i, e.tenant, e."sessionId", e."tenantId", e."userId", e."deviceId", e.role FROM tenant_info.request_entry(c.tenant_id, c.token_hash) e;
    PERFORM set_config('app.tenant_id', '', true);
  END LOOP;
END
$$;
REVOKE ALL ON FUNCTION tenant_info.request_entries(jsonb) FROM PUBLIC;
