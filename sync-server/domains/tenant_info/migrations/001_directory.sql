-- The tenant directory, users and sessions. Every policy reads the transaction-local
-- setting app.tenant_id (nullif: after a transaction the setting reads '' rather than NULL).

-- Listed exception to "tenant_id on every table": the directory row IS the tenant.
-- A tenant context sees its own row only; sign-in resolves org codes through system access.
CREATE TABLE tenant_info.tenants (
  id uuid PRIMARY KEY,
  code text NOT NULL UNIQUE,
  name text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('human', 'veterinary')),
  status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended')),
  created_at timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE tenant_info.tenants ENABLE ROW LEVEL SECURITY;
ALTER TABLE tenant_info.tenants FORCE ROW LEVEL SECURITY;
CREATE POLICY tenants_own_row ON tenant_info.tenants
  USING (id = nullif(current_setting('app.tenant_id', true), '')::uuid)
  WITH CHECK (id = nullif(current_setting('app.tenant_id', true), '')::uuid);

CREATE TABLE tenant_info.users (
  tenant_id uuid NOT NULL REFERENCES tenant_info.tenants (id),
  id uuid NOT NULL,
  username text NOT NULL,
  display_name text NOT NULL,
  role text NOT NULL CHECK (role IN ('front_desk', 'clinician', 'org_admin', 'it_admin')),
  password_hash text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, username)
);
ALTER TABLE tenant_info.users ENABLE ROW LEVEL SECURITY;
ALTER TABLE tenant_info.users FORCE ROW LEVEL SECURITY;
CREATE POLICY users_tenant_isolation ON tenant_info.users
  USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
  WITH CHECK (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);

-- Only the SHA-256 of a session token is stored; the token itself exists on the device only.
CREATE TABLE tenant_info.sessions (
  tenant_id uuid NOT NULL,
  id uuid NOT NULL,
  token_hash text NOT NULL,
  user_id uuid NOT NULL,
  device_id uuid NOT NULL,
  device_name text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  revoked_at timestamptz,
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, token_hash),
  FOREIGN KEY (tenant_id, user_id) REFERENCES tenant_info.users (tenant_id, id)
);
ALTER TABLE tenant_info.sessions ENABLE ROW LEVEL SECURITY;
ALTER TABLE tenant_info.sessions FORCE ROW LEVEL SECURITY;
CREATE POLICY sessions_tenant_isolation ON tenant_info.sessions
  USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
  WITH CHECK (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);
