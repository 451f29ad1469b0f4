-- The device lifecycle (issue 4): enrollment credentials, wipe reports, an org that has
-- left (offboarded), the org's workstation policy, and emergency (break-glass) unlocks.

-- 'offboarded': the org has left; its workstations wipe their copy of it (ORG_OFFBOARDED).
ALTER TABLE tenant_info.tenants DROP CONSTRAINT tenants_status_check;
ALTER TABLE tenant_info.tenants ADD CONSTRAINT tenants_status_check CHECK (status IN ('active', 'suspended', 'offboarded'));

-- The org's rules for its workstations, sent with every session (shared/sync/auth.ts
-- orgPolicySchema: same bounds; the defaults are DEFAULT_ORG_POLICY, a test compares them).
-- require_enrolled_devices: only workstations enrolled with an IT token may sign in.
ALTER TABLE tenant_info.tenants
  ADD COLUMN offline_unlock_days integer NOT NULL DEFAULT 7 CHECK (offline_unlock_days BETWEEN 0 AND 30),
  ADD COLUMN idle_lock_minutes integer NOT NULL DEFAULT 15 CHECK (idle_lock_minutes BETWEEN 1 AND 240),
  ADD COLUMN max_unlock_failures integer NOT NULL DEFAULT 5 CHECK (max_unlock_failures BETWEEN 1 AND 20),
  ADD COLUMN lockout_minutes integer NOT NULL DEFAULT 15 CHECK (lockout_minutes BETWEEN 1 AND 1440),
  ADD COLUMN break_glass_minutes integer NOT NULL DEFAULT 60 CHECK (break_glass_minutes BETWEEN 5 AND 480),
  ADD COLUMN require_enrolled_devices boolean NOT NULL DEFAULT false;

-- credential_hash: SHA-256 of the `cd1.<tenantId>.<secret>` credential handed out at
-- enrollment (only token-enrolled devices have one; the device must present it at sign-in).
-- wiped_at/wipe_reason: the workstation reported that it deleted the org's copy.
ALTER TABLE tenant_info.devices
  ADD COLUMN credential_hash text,
  ADD COLUMN wiped_at timestamptz,
  ADD COLUMN wipe_reason text CHECK (wipe_reason IN ('device_revoked', 'org_offboarded')),
  ADD CONSTRAINT devices_credential_only_enrolled CHECK (credential_hash IS NULL OR enrolled_via = 'token'),
  ADD CONSTRAINT devices_wipe_reported_whole CHECK ((wiped_at IS NULL) = (wipe_reason IS NULL));

-- Emergency unlocks made on a workstation (possibly offline), uploaded when it is online.
-- The reason may name a patient: it stays in this table, never in logs or audit details.
-- user_id has no foreign key on purpose: removing someone's membership later must neither
-- fail on nor erase the record of their break-glass access.
CREATE TABLE tenant_info.break_glass_events (
  tenant_id uuid NOT NULL REFERENCES tenant_info.tenants (id),
  id uuid NOT NULL,
  user_id uuid NOT NULL,
  device_id uuid NOT NULL,
  reason text NOT NULL,
  started_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, device_id) REFERENCES tenant_info.devices (tenant_id, id),
  CHECK (expires_at >= started_at)
);
ALTER TABLE tenant_info.break_glass_events ENABLE ROW LEVEL SECURITY;
ALTER TABLE tenant_info.break_glass_events FORCE ROW LEVEL SECURITY;
CREATE POLICY break_glass_events_tenant_isolation ON tenant_info.break_glass_events
  USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
  WITH CHECK (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);
