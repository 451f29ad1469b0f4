-- The placement directory: where each org's own domains (clinical, scheduling,
-- configuration, personnel, audit) live. No row means the shared databases (version 0).
-- Routing reads it through explicit system access; an org's own context sees its own row.
--   placement/target: where the org's data is now (target: the dedicated databases, JSON
--                     {engine, serverUrl, databasePrefix} or {engine, folder}; never a secret)
--   state/moving_to:  a move in progress and its destination (an interrupted move is rolled
--                     back from these: the destination's partial copies are removed)
--   cleanup_from:     the previous location whose copy still has to be deleted after a move
--   version:          bumped on every change; every update names the version it read
CREATE TABLE tenant_info.placements (
  tenant_id uuid NOT NULL REFERENCES tenant_info.tenants (id),
  placement text NOT NULL CHECK (placement IN ('shared', 'dedicated')),
  target jsonb,
  state text NOT NULL DEFAULT 'active' CHECK (state IN ('active', 'moving')),
  moving_to jsonb,
  cleanup_from jsonb,
  version integer NOT NULL DEFAULT 1,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id),
  CHECK ((placement = 'dedicated') = (target IS NOT NULL)),
  CHECK ((state = 'moving') = (moving_to IS NOT NULL))
);
ALTER TABLE tenant_info.placements ENABLE ROW LEVEL SECURITY;
ALTER TABLE tenant_info.placements FORCE ROW LEVEL SECURITY;
CREATE POLICY placements_tenant_isolation ON tenant_info.placements
  USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
  WITH CHECK (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);
