-- The org's practice profile, payer contracts and agent configuration. The JSON documents
-- are validated by the zod schemas of shared/api/configuration.ts before they are written.

-- One row per org: the primary key is the tenant id itself.
CREATE TABLE configuration.practice_profiles (
  tenant_id uuid NOT NULL PRIMARY KEY,
  legal_name text NOT NULL CHECK (length(legal_name) BETWEEN 1 AND 200),
  npi text CHECK (npi ~ '^[0-9]{10}$'),
  -- Employer Identification Number, nine digits without the dash. Sensitive: shown masked
  -- to everyone who may not edit the profile.
  tax_id text CHECK (tax_id ~ '^[0-9]{9}$'),
  address_line1 text NOT NULL CHECK (length(address_line1) <= 200),
  address_line2 text NOT NULL CHECK (length(address_line2) <= 200),
  city text NOT NULL CHECK (length(city) <= 100),
  region text NOT NULL CHECK (length(region) <= 100),
  postal_code text NOT NULL CHECK (length(postal_code) <= 20),
  country text NOT NULL CHECK (country ~ '^[A-Z]{2}$'),
  phone text NOT NULL CHECK (length(phone) <= 40),
  version integer NOT NULL DEFAULT 1,
  updated_by uuid NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE configuration.practice_profiles ENABLE ROW LEVEL SECURITY;
ALTER TABLE configuration.practice_profiles FORCE ROW LEVEL SECURITY;
CREATE POLICY practice_profiles_tenant_isolation ON configuration.practice_profiles
  USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
  WITH CHECK (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);

CREATE TABLE configuration.payer_contracts (
  tenant_id uuid NOT NULL,
  id uuid NOT NULL,
  payer_name text NOT NULL CHECK (length(payer_name) BETWEEN 1 AND 200),
  plan_name text NOT NULL CHECK (length(plan_name) BETWEEN 1 AND 200),
  effective_from date NOT NULL,
  effective_to date,
  fee_schedule_ref text NOT NULL CHECK (fee_schedule_ref ~ '^[A-Za-z0-9._-]{1,60}$'),
  version integer NOT NULL DEFAULT 1,
  updated_by uuid NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  CHECK (effective_to IS NULL OR effective_to >= effective_from)
);
-- Overlapping periods of one payer and plan are refused by the service under a per-org lock.
CREATE INDEX payer_contracts_payer ON configuration.payer_contracts (tenant_id, lower(payer_name), lower(plan_name));
ALTER TABLE configuration.payer_contracts ENABLE ROW LEVEL SECURITY;
ALTER TABLE configuration.payer_contracts FORCE ROW LEVEL SECURITY;
CREATE POLICY payer_contracts_tenant_isolation ON configuration.payer_contracts
  USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
  WITH CHECK (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);

-- One row per org. Thresholds are numbers the billing agent compares amounts with, so they
-- are numeric columns; rules and preferences are documents whose shape the zod schemas own.
CREATE TABLE configuration.agent_configs (
  tenant_id uuid NOT NULL PRIMARY KEY,
  coding_rules jsonb NOT NULL CHECK (jsonb_typeof(coding_rules) = 'object'),
  auto_submit_max_amount numeric(12, 2) NOT NULL CHECK (auto_submit_max_amount >= 0),
  review_above_amount numeric(12, 2) NOT NULL CHECK (review_above_amount >= 0),
  max_days_to_submit smallint NOT NULL CHECK (max_days_to_submit BETWEEN 1 AND 365),
  denial_rate_alert_percent numeric(5, 2) NOT NULL CHECK (denial_rate_alert_percent BETWEEN 0 AND 100),
  communication jsonb NOT NULL CHECK (jsonb_typeof(communication) = 'object'),
  version integer NOT NULL DEFAULT 1,
  updated_by uuid NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  CHECK (auto_submit_max_amount <= review_above_amount)
);
ALTER TABLE configuration.agent_configs ENABLE ROW LEVEL SECURITY;
ALTER TABLE configuration.agent_configs FORCE ROW LEVEL SECURITY;
CREATE POLICY agent_configs_tenant_isolation ON configuration.agent_configs
  USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
  WITH CHECK (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);
