-- The audit append in ONE statement (sync-server/domains/audit/audit-events.ts, append()):
-- every call to the server records an entry, and as a tenant transaction the append cost
-- three round trips (BEGIN with the tenant setting, the insert, COMMIT). This function
-- sets the tenant itself, transaction-locally, then appends; the server calls it as one
-- statement in PostgreSQL's implicit transaction (DomainDb.appStatement), so the setting
-- ends with that statement, as withTenant's ends with its transaction, and the entries
-- are committed when the statement returns.
--
-- SECURITY INVOKER: it runs as the caller, the app role (or, for the unattributed chain,
-- the system role inside its transaction), under the same forced row-level security as
-- any tenant transaction; the function grants nothing. It refuses to run in a transaction
-- already scoped to another org (its setting would outlive it there).
--
-- The entries come chained and hashed by the server (sync-server/audit/chain-hash.ts):
-- p_entries holds them in order, seq p_prev_seq + 1 onwards, the first linked to
-- p_prev_hash; p_head_hash is the last one's hash. They go in only if (p_prev_seq,
-- p_prev_hash) is still the org's chain head, checked under the head's row lock (FOR
-- UPDATE: a concurrent append is waited for, then the head's new values are checked), so
-- appends stay serialised per org across processes. If it is not the head (another
-- process appended, the chain was removed, or it was never created) nothing changes and
-- the answer is false: the server cannot re-hash here, so it locks and reads the head in a
-- tenant transaction and calls this again there (audit-events.ts, lockHead).
CREATE FUNCTION audit.append_chained(p_tenant_id uuid, p_prev_seq bigint, p_prev_hash text, p_entries jsonb, p_head_hash text)
RETURNS boolean
LANGUAGE plpgsql VOLATILE SECURITY INVOKER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  appended bigint;
BEGIN
  IF coalesce(current_setting('app.tenant_id', true), '') NOT IN ('', p_tenant_id::text) THEN
    RAISE EXCEPTION 'append_chained called in another org''s tenant context';
  END IF;
  PERFORM set_config('app.tenant_id', p_tenant_id::text, true);
  PERFORM FROM audit.chain_heads WHERE tenant_id = p_tenant_id AND seq = p_prev_seq AND hash = p_prev_hash FOR UPDATE;
  IF NOT FOUND THEN
    RETURN false;
  END IF;
  INSERT INTO audit.events (tenant_id, seq, id, occurred_at, actor_user_id, actor_session_id, actor_device_id, actor_role,
                            action, kind, entity, ids, outcome, error_code, detail, prev_hash, hash)
    SELECT p_tenant_id, e.seq, e.id, e.occurred_at, e.actor_user_id, e.actor_session_id, e.actor_device_id, e.actor_role,
           e.action, e.kind, e.entity, e.ids, e.outcome, e.error_code, e.detail, e.prev_hash, e.hash
    FROM jsonb_to_recordset(p_entries) AS e (seq bigint, id uuid, occurred_at timestamptz, actor_user_id uuid,
      actor_session_id uuid, actor_device_id uuid, actor_role text, action text, kind text, entity text, ids text[],
      outcome text, error_code text, detail jsonb, prev_hash text, hash text);
  GET DIAGNOSTICS appended = ROW_COUNT;
  UPDATE audit.chain_heads SET seq = p_prev_seq + appended, hash = p_head_hash WHERE tenant_id = p_tenant_id;
  RETURN true;
END
$$;
REVOKE ALL ON FUNCTION audit.append_chained(uuid, bigint, text, jsonb, text) FROM PUBLIC;
