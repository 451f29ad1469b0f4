-- Scheduling set-up: the org's locations and its practitioners' weekly schedules, and
-- appointments that name a practitioner and a location by id (booked through the desk
-- procedures; appointments created by sync carry only the display texts and stay NULL).
-- Every reference inside the domain is a composite key starting with tenant_id, so a row
-- can never point at another org's row. practitioner_id lives in the personnel domain and
-- is checked by asking the personnel service (no cross-database key).

CREATE TABLE scheduling.locations (
  tenant_id uuid NOT NULL,
  id uuid NOT NULL,
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
  kind text NOT NULL CHECK (kind IN ('clinic', 'room', 'telehealth', 'external')),
  active boolean NOT NULL DEFAULT true,
  version integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  -- Starts with tenant_id, so a clash only ever tells an org about its own locations.
  UNIQUE (tenant_id, name)
);
ALTER TABLE scheduling.locations ENABLE ROW LEVEL SECURITY;
ALTER TABLE scheduling.locations FORCE ROW LEVEL SECURITY;
CREATE POLICY locations_tenant_isolation ON scheduling.locations
  USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
  WITH CHECK (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);

-- One weekly block of one practitioner at one location (weekday 1 = Monday, ISO 8601),
-- valid over a date range (valid_to NULL = open-ended). Overlapping blocks of the same
-- practitioner are refused by the service under a per-practitioner lock.
CREATE TABLE scheduling.practitioner_schedules (
  tenant_id uuid NOT NULL,
  id uuid NOT NULL,
  practitioner_id uuid NOT NULL,
  location_id uuid NOT NULL,
  weekday smallint NOT NULL CHECK (weekday BETWEEN 1 AND 7),
  start_time time NOT NULL,
  end_time time NOT NULL,
  slot_minutes smallint NOT NULL CHECK (slot_minutes BETWEEN 5 AND 240),
  valid_from date NOT NULL,
  valid_to date,
  version integer NOT NULL DEFAULT 1,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, location_id) REFERENCES scheduling.locations (tenant_id, id),
  CHECK (end_time > start_time),
  CHECK (valid_to IS NULL OR valid_to >= valid_from)
);
CREATE INDEX practitioner_schedules_practitioner ON scheduling.practitioner_schedules (tenant_id, practitioner_id, weekday);
CREATE INDEX practitioner_schedules_location ON scheduling.practitioner_schedules (tenant_id, location_id);
ALTER TABLE scheduling.practitioner_schedules ENABLE ROW LEVEL SECURITY;
ALTER TABLE scheduling.practitioner_schedules FORCE ROW LEVEL SECURITY;
CREATE POLICY practitioner_schedules_tenant_isolation ON scheduling.practitioner_schedules
  USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
  WITH CHECK (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);

ALTER TABLE scheduling.appointments
  ADD COLUMN practitioner_id uuid,
  ADD COLUMN location_id uuid,
  ADD FOREIGN KEY (tenant_id, location_id) REFERENCES scheduling.locations (tenant_id, id);
CREATE INDEX appointments_tenant_practitioner ON scheduling.appointments (tenant_id, practitioner_id, starts_at) WHERE practitioner_id IS NOT NULL;
CREATE INDEX appointments_tenant_location ON scheduling.appointments (tenant_id, location_id, starts_at) WHERE location_id IS NOT NULL;
