-- Encounters, clinical notes and orders of one org. patient_id (master_data), practitioner_id
-- (personnel) and appointment_id (scheduling) live in other domain databases and are checked
-- by asking those services; every reference inside this domain is a composite key that starts
-- with tenant_id, so a row can never point at another org's row. Ids are made by the server
-- (UUIDv7), so no key can be used to probe for another org's ids.

CREATE TABLE clinical.encounters (
  tenant_id uuid NOT NULL,
  id uuid NOT NULL,
  patient_id uuid NOT NULL,
  appointment_id uuid,
  practitioner_id uuid,
  status text NOT NULL CHECK (status IN ('open', 'closed')),
  started_at timestamptz NOT NULL,
  ended_at timestamptz,
  opened_by uuid NOT NULL,
  closed_by uuid,
  version integer NOT NULL DEFAULT 1,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  CHECK ((status = 'open' AND ended_at IS NULL AND closed_by IS NULL) OR (status = 'closed' AND ended_at IS NOT NULL AND closed_by IS NOT NULL)),
  CHECK (ended_at IS NULL OR ended_at >= started_at)
);
CREATE INDEX encounters_patient ON clinical.encounters (tenant_id, patient_id, started_at DESC);
CREATE INDEX encounters_started ON clinical.encounters (tenant_id, started_at DESC);
ALTER TABLE clinical.encounters ENABLE ROW LEVEL SECURITY;
ALTER TABLE clinical.encounters FORCE ROW LEVEL SECURITY;
CREATE POLICY encounters_tenant_isolation ON clinical.encounters
  USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
  WITH CHECK (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);

-- A draft belongs to its author; a signed note never changes again. An amendment is a new
-- row that names the signed note it amends (amends_id), so the record only ever grows.
CREATE TABLE clinical.notes (
  tenant_id uuid NOT NULL,
  id uuid NOT NULL,
  encounter_id uuid NOT NULL,
  amends_id uuid,
  kind text NOT NULL CHECK (kind IN ('progress', 'soap', 'procedure', 'consult', 'discharge', 'phone', 'other')),
  body text NOT NULL CHECK (length(body) BETWEEN 1 AND 20000),
  status text NOT NULL CHECK (status IN ('draft', 'signed')),
  author_id uuid NOT NULL,
  signed_at timestamptz,
  version integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, encounter_id) REFERENCES clinical.encounters (tenant_id, id),
  FOREIGN KEY (tenant_id, amends_id) REFERENCES clinical.notes (tenant_id, id),
  CHECK ((status = 'draft') = (signed_at IS NULL))
);
CREATE INDEX notes_encounter ON clinical.notes (tenant_id, encounter_id, created_at);
CREATE INDEX notes_amends ON clinical.notes (tenant_id, amends_id) WHERE amends_id IS NOT NULL;
ALTER TABLE clinical.notes ENABLE ROW LEVEL SECURITY;
ALTER TABLE clinical.notes FORCE ROW LEVEL SECURITY;
CREATE POLICY notes_tenant_isolation ON clinical.notes
  USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
  WITH CHECK (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);

-- Defence in depth behind the service's checks: the database itself refuses to change or
-- delete a signed note, whoever asks (the app role, the system role, a hand-written query).
CREATE FUNCTION clinical.refuse_signed_note_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF OLD.status = 'signed' THEN
    RAISE EXCEPTION 'a signed clinical note cannot be changed or deleted' USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END;
$$;
REVOKE ALL ON FUNCTION clinical.refuse_signed_note_change() FROM PUBLIC;
CREATE TRIGGER notes_signed_immutable BEFORE UPDATE OR DELETE ON clinical.notes
  FOR EACH ROW EXECUTE FUNCTION clinical.refuse_signed_note_change();

-- Orders move through a state machine (the service holds the allowed moves); every move is
-- kept in order_transitions, so who changed an order's status and when is never lost.
CREATE TABLE clinical.orders (
  tenant_id uuid NOT NULL,
  id uuid NOT NULL,
  encounter_id uuid NOT NULL,
  kind text NOT NULL CHECK (kind IN ('lab', 'imaging', 'medication', 'procedure', 'referral', 'other')),
  code text NOT NULL CHECK (code ~ '^[A-Za-z0-9.-]{1,20}$'),
  description text NOT NULL CHECK (length(description) BETWEEN 1 AND 500),
  status text NOT NULL CHECK (status IN ('draft', 'active', 'on_hold', 'completed', 'cancelled')),
  ordered_by uuid NOT NULL,
  version integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, encounter_id) REFERENCES clinical.encounters (tenant_id, id)
);
CREATE INDEX orders_encounter ON clinical.orders (tenant_id, encounter_id, created_at);
ALTER TABLE clinical.orders ENABLE ROW LEVEL SECURITY;
ALTER TABLE clinical.orders FORCE ROW LEVEL SECURITY;
CREATE POLICY orders_tenant_isolation ON clinical.orders
  USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
  WITH CHECK (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);

CREATE TABLE clinical.order_transitions (
  tenant_id uuid NOT NULL,
  id uuid NOT NULL,
  order_id uuid NOT NULL,
  from_status text CHECK (from_status IN ('draft', 'active', 'on_hold', 'completed', 'cancelled')),
  to_status text NOT NULL CHECK (to_status IN ('draft', 'active', 'on_hold', 'completed', 'cancelled')),
  reason text CHECK (reason IS NULL OR length(reason) BETWEEN 1 AND 200),
  changed_by uuid NOT NULL,
  changed_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, order_id) REFERENCES clinical.orders (tenant_id, id)
);
CREATE INDEX order_transitions_order ON clinical.order_transitions (tenant_id, order_id, changed_at);
ALTER TABLE clinical.order_transitions ENABLE ROW LEVEL SECURITY;
ALTER TABLE clinical.order_transitions FORCE ROW LEVEL SECURITY;
CREATE POLICY order_transitions_tenant_isolation ON clinical.order_transitions
  USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
  WITH CHECK (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);
