-- The audit trail proper: one append-only, hash-chained log per tenant. Replaces
-- security_events (cross-tenant attempts are now ordinary 'refused' entries in the
-- targeted org's chain, with tokenTenantId in detail).
DROP TABLE audit.security_events;

-- One row per audited access. PHI-free by construction: ids, codes, counts. No column has
-- a default: every value is chosen by the server code that computes `hash`, so the hash
-- covers exactly what is stored (sync-server/audit/chain-hash.ts documents the encoding).
-- Requests that named no existing org are filed under the nil UUID ("unattributed").
CREATE TABLE audit.events (
  tenant_id uuid NOT NULL,
  seq bigint NOT NULL CHECK (seq > 0),
  id uuid NOT NULL,
  occurred_at timestamptz NOT NULL,
  actor_user_id uuid,
  actor_session_id uuid,
  actor_device_id uuid,
  actor_role text,
  action text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('query', 'mutation', 'subscription', 'job', 'event', 'admin')),
  entity text,
  ids text[] NOT NULL,
  outcome text NOT NULL CHECK (outcome IN ('ok', 'denied', 'refused', 'error')),
  error_code text,
  detail jsonb NOT NULL,
  prev_hash text NOT NULL CHECK (prev_hash ~ '^[0-9a-f]{64}$'),
  hash text NOT NULL CHECK (hash ~ '^[0-9a-f]{64}$'),
  PRIMARY KEY (tenant_id, seq)
);
ALTER TABLE audit.events ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit.events FORCE ROW LEVEL SECURITY;
CREATE POLICY events_tenant_isolation ON audit.events
  USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
  WITH CHECK (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);

-- The last (seq, hash) of each tenant's chain. Appends lock this row FOR UPDATE, which
-- serialises them per tenant (no gaps, no forks), and verification compares it with the
-- last event, so a deleted tail is detected as well as a deleted middle row.
CREATE TABLE audit.chain_heads (
  tenant_id uuid NOT NULL,
  seq bigint NOT NULL CHECK (seq >= 0),
  hash text NOT NULL CHECK (hash ~ '^[0-9a-f]{64}$'),
  PRIMARY KEY (tenant_id)
);
ALTER TABLE audit.chain_heads ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit.chain_heads FORCE ROW LEVEL SECURITY;
CREATE POLICY chain_heads_tenant_isolation ON audit.chain_heads
  USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
  WITH CHECK (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);

-- Append-only for everybody, owner included. The app and system roles are not granted
-- UPDATE/DELETE/TRUNCATE on audit.events at all (sync-server/db/roles.ts); this trigger
-- also stops the owner doing it by accident. The owner can still disable the trigger
-- deliberately: offboarding (a later issue) deletes an org's chain as a whole, and the
-- tamper-detection tests use it to simulate an attacker with owner access.
CREATE FUNCTION audit.refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit.events is append-only (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON audit.events
  FOR EACH ROW EXECUTE FUNCTION audit.refuse_change();
CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON audit.events
  FOR EACH STATEMENT EXECUTE FUNCTION audit.refuse_change();
