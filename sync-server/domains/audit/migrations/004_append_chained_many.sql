-- Several orgs' audit appends in ONE statement (sync-server/domains/audit/audit-events.ts,
-- the cross-org batch): every call to the server records an entry, so under load each
-- call paid a round trip and a commit of its own for it, and per-org group commit merges
-- only one org's calls. This function runs audit.append_chained (migration 003) once per
-- element, in the caller's one implicit transaction, so N orgs' appends cost one round
-- trip and one commit.
--
-- Isolation: the same as N separate statements. Each element's append sets ITS org,
-- transaction-locally, and append_chained refuses to run while another org is set; the
-- setting is cleared after every element, so no element runs under the one before it.
-- Row-level security (USING and WITH CHECK on app.tenant_id) checks every row each
-- element touches. SECURITY INVOKER: it grants nothing. It refuses to run in a
-- transaction already scoped to an org.
--
-- Locks: elements go in tenant order, so two batches (of two processes) lock chain heads
-- in the same order and never deadlock. One element that fails (an exception) fails the
-- whole statement, and nothing of it is written; the server then appends each element on
-- its own, so the failure stays with its org (audit-events.ts).
--
-- Answers one row per element: its org and whether its head moved (false: the expected
-- head was not the org's head; nothing of that org was written, the others were).
CREATE FUNCTION audit.append_chained_many(p_appends jsonb)
RETURNS TABLE (tenant_id uuid, moved boolean)
LANGUAGE plpgsql VOLATILE SECURITY INVOKER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  a record;
BEGIN
  IF coalesce(current_setting('app.tenant_id', true), '') <> '' THEN
    RAISE EXCEPTION 'append_chained_many called in an org''s tenant context';
  END IF;
  FOR a IN
    SELECT x.tenant_id, x.prev_seq, x.prev_hash, x.entries, x.head_hash
    FROM jsonb_to_recordset(p_appends) AS x (tenant_id uuid, prev_seq bigint, prev_hash text, entries jsonb, head_hash text)
    ORDER BY x.tenant_id
  LOOP
    tenant_id := a.tenant_id;
    moved := audit.append_chained(a.tenant_id, a.prev_seq, a.prev_hash, a.entries, a.head_hash);
    PERFORM set_config('app.tenant_id', '', true);
    RETURN NEXT;
  END LOOP;
END
$$;
REVOKE ALL ON FUNCTION audit.append_chained_many(jsonb) FROM PUBLIC;
