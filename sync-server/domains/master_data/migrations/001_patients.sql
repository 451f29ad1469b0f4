-- Patient identity lives above the org. Listed exception to "tenant_id on every table":
-- master_data.patients holds the patient's core identity; an org sees a row only through
-- its own (not deleted) link in tenant_patients, which carries the org's MRN.
CREATE TABLE master_data.patients (
  id uuid PRIMARY KEY,
  given_name text NOT NULL,
  family_name text NOT NULL,
  birth_date date NOT NULL,
  sex text NOT NULL CHECK (sex IN ('female', 'male', 'other', 'unknown')),
  phone text NOT NULL,
  field_hlc jsonb NOT NULL DEFAULT '{}',
  version integer NOT NULL DEFAULT 1,
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE master_data.tenant_patients (
  tenant_id uuid NOT NULL,
  patient_id uuid NOT NULL REFERENCES master_data.patients (id),
  mrn text NOT NULL DEFAULT '',
  field_hlc jsonb NOT NULL DEFAULT '{}',
  version integer NOT NULL DEFAULT 1,
  deleted boolean NOT NULL DEFAULT false,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, patient_id)
);
CREATE INDEX tenant_patients_patient ON master_data.tenant_patients (patient_id);
ALTER TABLE master_data.tenant_patients ENABLE ROW LEVEL SECURITY;
ALTER TABLE master_data.tenant_patients FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_patients_tenant_isolation ON master_data.tenant_patients
  USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
  WITH CHECK (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);

ALTER TABLE master_data.patients ENABLE ROW LEVEL SECURITY;
ALTER TABLE master_data.patients FORCE ROW LEVEL SECURITY;
CREATE POLICY patients_read_through_link ON master_data.patients FOR SELECT
  USING (EXISTS (SELECT 1 FROM master_data.tenant_patients tp
                 WHERE tp.patient_id = patients.id AND NOT tp.deleted
                   AND tp.tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid));
CREATE POLICY patients_update_through_link ON master_data.patients FOR UPDATE
  USING (EXISTS (SELECT 1 FROM master_data.tenant_patients tp
                 WHERE tp.patient_id = patients.id AND NOT tp.deleted
                   AND tp.tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid));
-- A new identity may be created from any tenant context (its link row follows in the same
-- transaction); an id that already exists elsewhere conflicts and is answered like any bad id.
CREATE POLICY patients_insert_in_tenant_context ON master_data.patients FOR INSERT
  WITH CHECK (nullif(current_setting('app.tenant_id', true), '') IS NOT NULL);
