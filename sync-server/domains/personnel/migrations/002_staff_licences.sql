-- Staff and practitioners of one org, their licences and job roles. Job roles describe the
-- work a person does (nurse, billing, ...); they are not the sign-in roles of tenant_info,
-- which decide what a user may do in the software.

CREATE TABLE personnel.staff (
  tenant_id uuid NOT NULL,
  id uuid NOT NULL,
  display_name text NOT NULL CHECK (length(display_name) BETWEEN 1 AND 100),
  job_title text NOT NULL CHECK (length(job_title) <= 100),
  is_practitioner boolean NOT NULL,
  -- National Provider Identifier: ten digits; only a practitioner has one.
  npi text CHECK (npi ~ '^[0-9]{10}$'),
  active boolean NOT NULL DEFAULT true,
  version integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  CHECK (npi IS NULL OR is_practitioner)
);
-- Starts with tenant_id, so a clash only ever tells an org about its own staff.
CREATE UNIQUE INDEX staff_npi ON personnel.staff (tenant_id, npi) WHERE npi IS NOT NULL;
ALTER TABLE personnel.staff ENABLE ROW LEVEL SECURITY;
ALTER TABLE personnel.staff FORCE ROW LEVEL SECURITY;
CREATE POLICY staff_tenant_isolation ON personnel.staff
  USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
  WITH CHECK (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);

CREATE TABLE personnel.staff_job_roles (
  tenant_id uuid NOT NULL,
  staff_id uuid NOT NULL,
  job_role text NOT NULL CHECK (job_role IN (
    'physician', 'nurse_practitioner', 'physician_assistant', 'nurse', 'medical_assistant',
    'veterinarian', 'veterinary_technician', 'therapist', 'front_desk', 'billing', 'manager', 'other')),
  PRIMARY KEY (tenant_id, staff_id, job_role),
  FOREIGN KEY (tenant_id, staff_id) REFERENCES personnel.staff (tenant_id, id)
);
ALTER TABLE personnel.staff_job_roles ENABLE ROW LEVEL SECURITY;
ALTER TABLE personnel.staff_job_roles FORCE ROW LEVEL SECURITY;
CREATE POLICY staff_job_roles_tenant_isolation ON personnel.staff_job_roles
  USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
  WITH CHECK (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);

CREATE TABLE personnel.licences (
  tenant_id uuid NOT NULL,
  id uuid NOT NULL,
  staff_id uuid NOT NULL,
  kind text NOT NULL CHECK (kind IN ('state_licence', 'dea', 'board_certification', 'veterinary_licence', 'other')),
  number text NOT NULL CHECK (number ~ '^[A-Za-z0-9-]{1,40}$'),
  jurisdiction text NOT NULL CHECK (length(jurisdiction) BETWEEN 1 AND 60),
  expires_on date NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, staff_id, kind, jurisdiction, number),
  FOREIGN KEY (tenant_id, staff_id) REFERENCES personnel.staff (tenant_id, id)
);
CREATE INDEX licences_expiry ON personnel.licences (tenant_id, expires_on);
ALTER TABLE personnel.licences ENABLE ROW LEVEL SECURITY;
ALTER TABLE personnel.licences FORCE ROW LEVEL SECURITY;
CREATE POLICY licences_tenant_isolation ON personnel.licences
  USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
  WITH CHECK (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);
