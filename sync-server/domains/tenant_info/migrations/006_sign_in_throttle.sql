-- Failed sign-in attempts (sync-server/auth/sign-in-throttle.ts): one counter per
-- (org, login) and one per client address, shared by every server process through this
-- table (the server is stateless and runs as several processes behind a load balancer,
-- so a counter in one process's memory would let an attacker spread guesses over them).
--
-- tenant_id is the org the attempts named when it exists, so the org's counters are its
-- rows like any other (forced RLS; offboarding deletes them with the rest of the org's
-- tenant_info rows). Attempts naming an org that does not exist, and the per-address
-- counters (which span orgs), are filed under the nil UUID, as the audit trail files
-- requests that named no org. Only sign-in reads or writes this table, through system
-- access: the attempt comes before any session.
--
-- subject: hex SHA-256 of the org code and normalised login (kind 'account') or of the
-- client address (kind 'source'). What was typed as a username (sometimes a password typed
-- into the wrong field) is never stored in clear; rows are purged once they say nothing a
-- fresh counter would not (forget_at_ms), at most a window after the last failure or lock.
-- Times are epoch milliseconds from the throttle's clock (injected in tests).
CREATE TABLE tenant_info.sign_in_throttle (
  tenant_id uuid NOT NULL,
  kind text NOT NULL CHECK (kind IN ('account', 'source')),
  subject text NOT NULL CHECK (subject ~ '^[0-9a-f]{64}$'),
  failures integer NOT NULL CHECK (failures >= 0),
  pending integer NOT NULL CHECK (pending >= 0),
  window_started_ms bigint NOT NULL,
  last_failure_ms bigint,
  locked_until_ms bigint,
  lockouts integer NOT NULL CHECK (lockouts >= 0),
  forget_at_ms bigint NOT NULL,
  PRIMARY KEY (tenant_id, kind, subject),
  CHECK (kind = 'account' OR tenant_id = '00000000-0000-0000-0000-000000000000')
);
CREATE INDEX sign_in_throttle_forget ON tenant_info.sign_in_throttle (forget_at_ms);
ALTER TABLE tenant_info.sign_in_throttle ENABLE ROW LEVEL SECURITY;
ALTER TABLE tenant_info.sign_in_throttle FORCE ROW LEVEL SECURITY;
CREATE POLICY sign_in_throttle_tenant_isolation ON tenant_info.sign_in_throttle
  USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
  WITH CHECK (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);
