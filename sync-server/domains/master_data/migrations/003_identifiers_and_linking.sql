-- Patient identifiers, patient-held link codes and the narrow matching functions that let
-- an org link an existing patient identity without being able to browse or probe others.

-- Identifiers (national id, insurance member id, ...) belong to the patient identity above
-- the org, but each row records the org that captured it and is visible to that org only,
-- and only while its link to the patient is live: minimum necessary, so org B never learns
-- org A's insurance member id through a shared patient. Matching across orgs happens only
-- inside master_data.match_patient_by_identifier below. There is deliberately no unique key
-- on (system, value) across orgs: a clash would tell an org that someone elsewhere holds it.
CREATE TABLE master_data.patient_identifiers (
  tenant_id uuid NOT NULL,
  patient_id uuid NOT NULL REFERENCES master_data.patients (id),
  system text NOT NULL CHECK (system IN ('national_id', 'insurance_member_id', 'passport', 'drivers_license')),
  value text NOT NULL CHECK (value ~ '^[A-Z0-9]{1,64}$'),
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, patient_id, system, value)
);
CREATE INDEX patient_identifiers_lookup ON master_data.patient_identifiers (system, value);
ALTER TABLE master_data.patient_identifiers ENABLE ROW LEVEL SECURITY;
ALTER TABLE master_data.patient_identifiers FORCE ROW LEVEL SECURITY;
CREATE POLICY patient_identifiers_own_link ON master_data.patient_identifiers
  USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid
         AND EXISTS (SELECT 1 FROM master_data.tenant_patients tp
                     WHERE tp.tenant_id = patient_identifiers.tenant_id AND tp.patient_id = patient_identifiers.patient_id
                       AND NOT tp.deleted))
  WITH CHECK (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid
              AND EXISTS (SELECT 1 FROM master_data.tenant_patients tp
                          WHERE tp.tenant_id = patient_identifiers.tenant_id AND tp.patient_id = patient_identifiers.patient_id
                            AND NOT tp.deleted));

-- One-time codes an org where the patient is linked hands to the patient, who carries it
-- to another org. Only a SHA-256 of the code is stored; the code itself is shown once.
CREATE TABLE master_data.link_codes (
  tenant_id uuid NOT NULL,
  id uuid NOT NULL,
  patient_id uuid NOT NULL REFERENCES master_data.patients (id),
  code_hash text NOT NULL CHECK (code_hash ~ '^[0-9a-f]{64}$'),
  issued_by uuid NOT NULL,
  expires_at timestamptz NOT NULL,
  failed_attempts smallint NOT NULL DEFAULT 0,
  used_at timestamptz,
  used_by_tenant_id uuid,
  revoked_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id)
);
-- Not unique (a unique key not led by tenant_id could be probed); 80 random bits per code.
CREATE INDEX link_codes_hash ON master_data.link_codes (code_hash);
CREATE INDEX link_codes_patient ON master_data.link_codes (tenant_id, patient_id);
ALTER TABLE master_data.link_codes ENABLE ROW LEVEL SECURITY;
ALTER TABLE master_data.link_codes FORCE ROW LEVEL SECURITY;
CREATE POLICY link_codes_tenant_isolation ON master_data.link_codes
  USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
  WITH CHECK (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);

-- Failed link attempts per org, for the rate limit (pruned as new ones are recorded).
CREATE TABLE master_data.link_attempts (
  tenant_id uuid NOT NULL,
  id uuid NOT NULL,
  method text NOT NULL CHECK (method IN ('identifier', 'code')),
  attempted_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id)
);
CREATE INDEX link_attempts_recent ON master_data.link_attempts (tenant_id, attempted_at);
ALTER TABLE master_data.link_attempts ENABLE ROW LEVEL SECURITY;
ALTER TABLE master_data.link_attempts FORCE ROW LEVEL SECURITY;
CREATE POLICY link_attempts_tenant_isolation ON master_data.link_attempts
  USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
  WITH CHECK (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);

-- Strong-evidence match (a): exact identifier (system + value, any org's record) AND given
-- name AND family name (case-insensitive) AND birth date, all of one patient. Returns that
-- patient's id only on a full, unambiguous match; NULL in every other case, so the caller
-- cannot tell "identifier unknown" from "identifier known, a field wrong". One set-based
-- statement either way, so the two cases cost about the same. SECURITY DEFINER because
-- the evidence spans other orgs' rows; NOT LEAKPROOF; callable only from a tenant context.
CREATE FUNCTION master_data.match_patient_by_identifier(p_system text, p_value text, p_given text, p_family text, p_birth date)
RETURNS uuid
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
  SELECT CASE WHEN count(DISTINCT p.id) = 1 THEN (array_agg(p.id))[1] END
  FROM master_data.patients p
  WHERE nullif(current_setting('app.tenant_id', true), '') IS NOT NULL
    AND p.id IN (SELECT i.patient_id FROM master_data.patient_identifiers i WHERE i.system = p_system AND i.value = p_value)
    AND lower(p.given_name) = lower(p_given)
    AND lower(p.family_name) = lower(p_family)
    AND p.birth_date = p_birth
$$;

-- Strong-evidence match (b): a live link code (unused, not revoked, not expired, fewer than
-- three wrong birth dates) AND the patient's birth date. On a full match the code is used
-- up and the patient id returned; a wrong birth date counts against the code; everything
-- else returns NULL. A code for a patient the calling org already has is returned without
-- being used up (the caller answers "already registered"; the org knows that patient).
CREATE FUNCTION master_data.redeem_link_code(p_code_hash text, p_birth date)
RETURNS uuid
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  me uuid := nullif(current_setting('app.tenant_id', true), '')::uuid;
  found_tenant uuid;
  found_id uuid;
  found_patient uuid;
  born date;
BEGIN
  IF me IS NULL THEN
    RETURN NULL;
  END IF;
  SELECT c.tenant_id, c.id, c.patient_id INTO found_tenant, found_id, found_patient
  FROM master_data.link_codes c
  WHERE c.code_hash = p_code_hash AND c.used_at IS NULL AND c.revoked_at IS NULL
    AND c.expires_at > now() AND c.failed_attempts < 3
  LIMIT 1
  FOR UPDATE;
  IF found_id IS NULL THEN
    RETURN NULL;
  END IF;
  SELECT p.birth_date INTO born FROM master_data.patients p WHERE p.id = found_patient;
  IF born IS DISTINCT FROM p_birth THEN
    UPDATE master_data.link_codes SET failed_attempts = failed_attempts + 1
    WHERE tenant_id = found_tenant AND id = found_id;
    RETURN NULL;
  END IF;
  IF NOT EXISTS (SELECT 1 FROM master_data.tenant_patients tp
                 WHERE tp.tenant_id = me AND tp.patient_id = found_patient AND NOT tp.deleted) THEN
    UPDATE master_data.link_codes SET used_at = now(), used_by_tenant_id = me
    WHERE tenant_id = found_tenant AND id = found_id;
  END IF;
  RETURN found_patient;
END
$$;

REVOKE ALL ON FUNCTION master_data.match_patient_by_identifier(text, text, text, text, date) FROM PUBLIC;
REVOKE ALL ON FUNCTION master_data.redeem_link_code(text, date) FROM PUBLIC;
