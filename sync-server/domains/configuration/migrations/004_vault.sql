-- The per-org vault (sync-server/vault/): payer-portal and EHR-integration credentials under
-- envelope encryption. No column ever holds a plaintext secret or an unwrapped key; neither
-- table is in the configuration change feed (credentials never sync to workstations).

-- An org's data keys, each wrapped by a master key (KeyWrapper). One is active (seals new
-- secrets); 'retiring' ones still open secrets not yet re-sealed after a rotation;
-- 'destroyed' ones had their wrapped bytes erased (rotation finished, or crypto-shred), and
-- the row stays so a version number is never reused.
CREATE TABLE configuration.vault_data_keys (
  tenant_id uuid NOT NULL,
  version integer NOT NULL CHECK (version >= 1),
  state text NOT NULL CHECK (state IN ('active', 'retiring', 'destroyed')),
  master_key_id text CHECK (master_key_id ~ '^[A-Za-z0-9._-]{1,64}$'),
  wrapped_key bytea CHECK (length(wrapped_key) BETWEEN 44 AND 4096),
  created_at timestamptz NOT NULL DEFAULT now(),
  rewrapped_at timestamptz,
  destroyed_at timestamptz,
  PRIMARY KEY (tenant_id, version),
  CHECK ((state = 'destroyed') = (wrapped_key IS NULL AND master_key_id IS NULL)),
  CHECK ((state = 'destroyed') = (destroyed_at IS NOT NULL))
);
CREATE UNIQUE INDEX vault_data_keys_one_active ON configuration.vault_data_keys (tenant_id) WHERE state = 'active';
ALTER TABLE configuration.vault_data_keys ENABLE ROW LEVEL SECURITY;
ALTER TABLE configuration.vault_data_keys FORCE ROW LEVEL SECURITY;
CREATE POLICY vault_data_keys_tenant_isolation ON configuration.vault_data_keys
  USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
  WITH CHECK (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);

-- One credential per row. kind, label and endpoint are the non-secret description admins
-- list; the username and secret travel together in `sealed` (nonce | tag | ciphertext),
-- authenticated with the org id, the row id and key_version.
CREATE TABLE configuration.vault_secrets (
  tenant_id uuid NOT NULL,
  id uuid NOT NULL,
  kind text NOT NULL CHECK (kind IN ('payer_portal', 'ehr_integration')),
  label text NOT NULL CHECK (length(label) BETWEEN 1 AND 200),
  endpoint text CHECK (length(endpoint) BETWEEN 1 AND 500),
  key_version integer NOT NULL CHECK (key_version >= 1),
  sealed bytea NOT NULL CHECK (length(sealed) BETWEEN 29 AND 20000),
  version integer NOT NULL DEFAULT 1,
  created_by uuid NOT NULL,
  updated_by uuid NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX vault_secrets_label ON configuration.vault_secrets (tenant_id, kind, lower(label));
-- Rotation finds what still needs re-sealing.
CREATE INDEX vault_secrets_key_version ON configuration.vault_secrets (tenant_id, key_version);
ALTER TABLE configuration.vault_secrets ENABLE ROW LEVEL SECURITY;
ALTER TABLE configuration.vault_secrets FORCE ROW LEVEL SECURITY;
CREATE POLICY vault_secrets_tenant_isolation ON configuration.vault_secrets
  USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
  WITH CHECK (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);
