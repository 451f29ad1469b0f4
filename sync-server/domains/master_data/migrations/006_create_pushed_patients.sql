-- A push of new patients in ONE statement (sync-server/domains/master_data/patient-push-at-once.ts).
-- A desk registering a patient pushes one new patient; as a tenant transaction that cost
-- seven round trips (BEGIN with the tenant setting, ledger claim, link lock, patient
-- insert, link insert, feed, COMMIT), and round trips are most of a push's cost on both
-- sides of the socket (docs/scale.md, "Throughput"). This function does the same writes,
-- in the same order, inside the one statement's implicit transaction (DomainDb.appStatement):
-- the ledger claim, the core identities, the org's links with their MRNs, and the feed rows.
--
-- SECURITY INVOKER: it runs as the caller (the app role) under the same forced row-level
-- security as any tenant transaction and grants nothing; it sets the org
-- transaction-locally, so the setting ends with the statement, and refuses to run in a
-- transaction already scoped to another org (its setting would outlive it there).
--
-- It takes only the plain case and is all-or-nothing:
-- - returns false, having written nothing, when the org already has a link (live or
--   deleted) to any of the ids: those are edits or refusals, merged field by field by the
--   server (patients.ts);
-- - raises SQLSTATE CS409, so the statement's transaction rolls back whole, when a
--   mutation id is already in the ledger (a replay, or a concurrent one that committed
--   first: its claim waits for that commit) or an id is already a patient of another org
--   (its insert, with no conflict target, inserts nothing): the server then runs the
--   ordinary path, which answers those one by one (duplicate, not found);
-- - otherwise writes everything and returns true.
--
-- p_patients: the new patients in the order to apply them (HLC order): mutation id, id,
-- the six fields and the per-field clocks, as patient-push-at-once.ts builds them.
--
-- The feed lock is FeedWriter's (sync-server/sync/feed-writer.ts): the same key
-- 'feed:master_data:<org>', hashed the same way, taken before the first seq is drawn and
-- held to commit, so seq order stays commit order for the org whichever path wrote.
CREATE FUNCTION master_data.create_pushed_patients(p_tenant_id uuid, p_device_id uuid, p_patients jsonb)
RETURNS boolean
LANGUAGE plpgsql VOLATILE SECURITY INVOKER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  wanted bigint := jsonb_array_length(p_patients);
  ids uuid[];
  written bigint;
BEGIN
  IF coalesce(current_setting('app.tenant_id', true), '') NOT IN ('', p_tenant_id::text) THEN
    RAISE EXCEPTION 'create_pushed_patients called in another org''s tenant context';
  END IF;
  PERFORM set_config('app.tenant_id', p_tenant_id::text, true);

  -- An array, not a join with the jsonb: = ANY on the primary key is an index probe per id
  -- whatever plan the function's statement settles on, never a scan of the org's links.
  ids := ARRAY(SELECT (e.x ->> 'id')::uuid FROM jsonb_array_elements(p_patients) AS e (x));
  IF EXISTS (SELECT FROM master_data.tenant_patients WHERE tenant_id = p_tenant_id AND patient_id = ANY (ids)) THEN
    RETURN false;
  END IF;

  INSERT INTO master_data.applied_mutations (tenant_id, mutation_id, entity, entity_id, device_id)
    SELECT p_tenant_id, (e.x ->> 'mutationId')::uuid, 'patient', (e.x ->> 'id')::uuid, p_device_id
    FROM jsonb_array_elements(p_patients) WITH ORDINALITY AS e (x, n)
    ORDER BY e.n
    ON CONFLICT (tenant_id, mutation_id) DO NOTHING;
  GET DIAGNOSTICS written = ROW_COUNT;
  IF written <> wanted THEN
    RAISE EXCEPTION 'a pushed mutation is already applied' USING ERRCODE = 'CS409';
  END IF;

  -- No conflict target (and no RETURNING): either would need SELECT rights on the new row,
  -- which the patients policy grants only through a link, and the link comes next
  -- (patients.ts, create, says the same of its single insert).
  INSERT INTO master_data.patients (id, given_name, family_name, birth_date, sex, phone, field_hlc)
    SELECT x.id, x."givenName", x."familyName", x."birthDate"::date, x.sex, x.phone, x."coreHlc"
    FROM jsonb_to_recordset(p_patients) AS x (id uuid, "givenName" text, "familyName" text, "birthDate" text, sex text, phone text, "coreHlc" jsonb)
    ON CONFLICT DO NOTHING;
  GET DIAGNOSTICS written = ROW_COUNT;
  IF written <> wanted THEN
    RAISE EXCEPTION 'a pushed patient id is taken' USING ERRCODE = 'CS409';
  END IF;

  INSERT INTO master_data.tenant_patients (tenant_id, patient_id, mrn, field_hlc)
    SELECT p_tenant_id, x.id, x.mrn, x."linkHlc"
    FROM jsonb_to_recordset(p_patients) AS x (id uuid, mrn text, "linkHlc" jsonb);

  PERFORM pg_advisory_xact_lock(hashtextextended('feed:master_data:' || p_tenant_id::text, 0));
  INSERT INTO master_data.changes (tenant_id, entity, entity_id, seq)
    SELECT p_tenant_id, 'patient', (e.x ->> 'id')::uuid, nextval('master_data.change_seq')
    FROM jsonb_array_elements(p_patients) WITH ORDINALITY AS e (x, n)
    ORDER BY e.n
    ON CONFLICT (tenant_id, entity, entity_id) DO UPDATE SET seq = EXCLUDED.seq;
  RETURN true;
END
$$;
REVOKE ALL ON FUNCTION master_data.create_pushed_patients(uuid, uuid, jsonb) FROM PUBLIC;
