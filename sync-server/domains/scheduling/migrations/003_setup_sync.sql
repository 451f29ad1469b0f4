-- Double-booked slots (DESIGN §4): two active appointments of one practitioner whose times
-- overlap. Recorded by the server in the transaction of the write that made the overlap and
-- resolved by the write that removes it; pulled by workstations through scheduling.changes.
-- A pair of appointments has at most one row (reopened if the pair overlaps again).
CREATE TABLE scheduling.booking_conflicts (
  tenant_id uuid NOT NULL,
  id uuid NOT NULL,
  first_appointment_id uuid NOT NULL,
  second_appointment_id uuid NOT NULL,
  practitioner_id uuid,
  practitioner_name text NOT NULL,
  starts_at timestamptz NOT NULL,
  ends_at timestamptz NOT NULL,
  status text NOT NULL CHECK (status IN ('open', 'resolved')),
  resolution text CHECK (resolution IN ('rescheduled', 'cancelled', 'dismissed')),
  version integer NOT NULL DEFAULT 1,
  detected_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, first_appointment_id) REFERENCES scheduling.appointments (tenant_id, id),
  FOREIGN KEY (tenant_id, second_appointment_id) REFERENCES scheduling.appointments (tenant_id, id),
  CHECK (first_appointment_id <> second_appointment_id),
  CHECK ((status = 'open') = (resolution IS NULL))
);
-- Either order of a pair is the same pair.
CREATE UNIQUE INDEX booking_conflicts_pair ON scheduling.booking_conflicts
  (tenant_id, least(first_appointment_id, second_appointment_id), greatest(first_appointment_id, second_appointment_id));
CREATE INDEX booking_conflicts_first ON scheduling.booking_conflicts (tenant_id, first_appointment_id);
CREATE INDEX booking_conflicts_second ON scheduling.booking_conflicts (tenant_id, second_appointment_id);
ALTER TABLE scheduling.booking_conflicts ENABLE ROW LEVEL SECURITY;
ALTER TABLE scheduling.booking_conflicts FORCE ROW LEVEL SECURITY;
CREATE POLICY booking_conflicts_tenant_isolation ON scheduling.booking_conflicts
  USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
  WITH CHECK (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);

-- The scheduling feed now carries four entities, each read by its own keyset query
-- (sync/feed-reader.ts mergedFeed): without this index, the reader of a few locations would
-- walk every appointment row after the cursor on each page of a bootstrap.
CREATE INDEX changes_tenant_entity_seq ON scheduling.changes (tenant_id, entity, seq);
