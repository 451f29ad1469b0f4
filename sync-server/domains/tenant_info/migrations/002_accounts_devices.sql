-- People and machines of an org: isolation tier, accounts in authentication namespaces,
-- memberships with roles, devices and enrollment tokens. Sessions are re-bound to a
-- membership (org + account) and to a registered device of the same org.

-- 'namespace' and 'dedicated' both give the org its own authentication namespace;
-- 'dedicated' additionally places its domain data in its own databases (placement).
ALTER TABLE tenant_info.tenants ADD COLUMN isolation_tier text NOT NULL DEFAULT 'shared'
  CHECK (isolation_tier IN ('shared', 'namespace', 'dedicated'));

-- Listed exception to "tenant_id on every table": an account is a person's sign-in
-- identity above the org. namespace is 'shared' or the id of the one org that owns it.
-- Logins are stored trimmed and lower-case (case-insensitive). In an org's own namespace
-- a login is unique; in the shared namespace it is unique among each org's members
-- (memberships_tenant_id_login_key), not globally: a global unique would tell one org's
-- admin that a login exists in some other org. Linking one shared account into a second
-- org is an explicit operator action.
CREATE TABLE tenant_info.accounts (
  id uuid PRIMARY KEY,
  namespace text NOT NULL CHECK (namespace = 'shared' OR namespace ~ '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'),
  login text NOT NULL CHECK (login = lower(btrim(login)) AND length(login) BETWEEN 1 AND 100),
  password_hash text NOT NULL,
  display_name text NOT NULL,
  disabled boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now(),
  -- Set on the copy an org gets of a multi-org shared account when it takes its own
  -- namespace, so returning to shared can rejoin the original.
  copied_from uuid REFERENCES tenant_info.accounts (id) ON DELETE SET NULL,
  -- Target of the memberships' (account_id, login) reference, which keeps the two in step.
  UNIQUE (id, login)
);
CREATE UNIQUE INDEX accounts_own_namespace_login ON tenant_info.accounts (namespace, login) WHERE namespace <> 'shared';
CREATE INDEX accounts_shared_login ON tenant_info.accounts (login) WHERE namespace = 'shared';

CREATE TABLE tenant_info.memberships (
  tenant_id uuid NOT NULL REFERENCES tenant_info.tenants (id),
  account_id uuid NOT NULL,
  -- The account's login, copied so "one login per org" is a plain unique key.
  login text NOT NULL,
  role text NOT NULL CHECK (role IN ('front_desk', 'clinician', 'org_admin', 'it_admin')),
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, account_id),
  UNIQUE (tenant_id, login),
  FOREIGN KEY (account_id, login) REFERENCES tenant_info.accounts (id, login) ON UPDATE CASCADE
);
CREATE INDEX memberships_account ON tenant_info.memberships (account_id);
ALTER TABLE tenant_info.memberships ENABLE ROW LEVEL SECURITY;
ALTER TABLE tenant_info.memberships FORCE ROW LEVEL SECURITY;
CREATE POLICY memberships_tenant_isolation ON tenant_info.memberships
  USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
  WITH CHECK (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);

-- An org context may READ the accounts of its own members and nothing else, and may not
-- write accounts at all (no INSERT/UPDATE/DELETE policy): an account can unlock other
-- orgs, so creating or copying one is explicit system access.
ALTER TABLE tenant_info.accounts ENABLE ROW LEVEL SECURITY;
ALTER TABLE tenant_info.accounts FORCE ROW LEVEL SECURITY;
CREATE POLICY accounts_of_own_members ON tenant_info.accounts FOR SELECT
  USING (EXISTS (
    SELECT 1 FROM tenant_info.memberships m
    WHERE m.account_id = accounts.id
      AND m.tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid));

-- Workstations of an org. Until enrollment by token is required (issue 4), a device is
-- registered by its first sign-in; enrolled_via says which.
CREATE TABLE tenant_info.devices (
  tenant_id uuid NOT NULL REFERENCES tenant_info.tenants (id),
  id uuid NOT NULL,
  name text NOT NULL,
  enrolled_via text NOT NULL CHECK (enrolled_via IN ('sign_in', 'token')),
  enrolled_at timestamptz NOT NULL DEFAULT now(),
  revoked_at timestamptz,
  last_seen_at timestamptz,
  PRIMARY KEY (tenant_id, id)
);
ALTER TABLE tenant_info.devices ENABLE ROW LEVEL SECURITY;
ALTER TABLE tenant_info.devices FORCE ROW LEVEL SECURITY;
CREATE POLICY devices_tenant_isolation ON tenant_info.devices
  USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
  WITH CHECK (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);

-- One-time, expiring, bound to one org; only the token's SHA-256 is stored.
CREATE TABLE tenant_info.enrollment_tokens (
  tenant_id uuid NOT NULL REFERENCES tenant_info.tenants (id),
  id uuid NOT NULL,
  token_hash text NOT NULL,
  created_by uuid,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  used_at timestamptz,
  used_by_device uuid,
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, token_hash)
);
ALTER TABLE tenant_info.enrollment_tokens ENABLE ROW LEVEL SECURITY;
ALTER TABLE tenant_info.enrollment_tokens FORCE ROW LEVEL SECURITY;
CREATE POLICY enrollment_tokens_tenant_isolation ON tenant_info.enrollment_tokens
  USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
  WITH CHECK (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);

-- Existing data: every user becomes a shared-namespace account (same id, so audit actors
-- stay continuous) with one membership; every device seen in a session becomes a device.
INSERT INTO tenant_info.accounts (id, namespace, login, password_hash, display_name, created_at)
  SELECT id, 'shared', lower(btrim(username)), password_hash, display_name, created_at FROM tenant_info.users;
INSERT INTO tenant_info.memberships (tenant_id, account_id, login, role, created_at)
  SELECT tenant_id, id, lower(btrim(username)), role, created_at FROM tenant_info.users;
INSERT INTO tenant_info.devices (tenant_id, id, name, enrolled_via, enrolled_at, last_seen_at)
  SELECT tenant_id, device_id, min(device_name), 'sign_in', min(created_at), max(created_at)
  FROM tenant_info.sessions GROUP BY tenant_id, device_id;

-- Sessions: user_id is now the account id of a membership in the session's org. Repointing
-- a membership (tier change) carries its sessions along; removing it ends them.
ALTER TABLE tenant_info.sessions DROP CONSTRAINT sessions_tenant_id_user_id_fkey;
ALTER TABLE tenant_info.sessions ADD CONSTRAINT sessions_membership_fkey
  FOREIGN KEY (tenant_id, user_id) REFERENCES tenant_info.memberships (tenant_id, account_id) ON UPDATE CASCADE ON DELETE CASCADE;
ALTER TABLE tenant_info.sessions ADD CONSTRAINT sessions_device_fkey
  FOREIGN KEY (tenant_id, device_id) REFERENCES tenant_info.devices (tenant_id, id);
ALTER TABLE tenant_info.sessions DROP COLUMN device_name;
CREATE INDEX sessions_membership ON tenant_info.sessions (tenant_id, user_id);
CREATE INDEX sessions_device ON tenant_info.sessions (tenant_id, device_id);
DROP TABLE tenant_info.users;
