-- Which of these patient ids the org has a live link to, in ONE statement
-- (PatientService.linkedIds, through DomainDb.appStatement). Scheduling asks this before
-- its own transaction for every pushed appointment that names a patient (references are
-- checked through the master_data service, never across databases); as a tenant
-- transaction it cost three round trips (BEGIN with the tenant setting, the read, COMMIT).
--
-- SECURITY INVOKER: it runs as the caller (the app role) under the same forced row-level
-- security as any tenant transaction and grants nothing. It sets the org
-- transaction-locally, so the setting ends with the statement (or with the transaction it
-- is called in), and refuses to run in a transaction already scoped to another org.
CREATE FUNCTION master_data.linked_patient_ids(p_tenant_id uuid, p_ids uuid[])
RETURNS TABLE (id text)
LANGUAGE plpgsql VOLATILE SECURITY INVOKER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF coalesce(current_setting('app.tenant_id', true), '') NOT IN ('', p_tenant_id::text) THEN
    RAISE EXCEPTION 'linked_patient_ids called in another org''s tenant context';
  END IF;
  PERFORM set_config('app.tenant_id', p_tenant_id::text, true);
  RETURN QUERY
    SELECT tp.patient_id::text FROM master_data.tenant_patients tp
    WHERE tp.tenant_id = p_tenant_id AND tp.patient_id = ANY (p_ids) AND NOT tp.deleted;
END
$$;
REVOKE ALL ON FUNCTION master_data.linked_patient_ids(uuid, uuid[]) FROM PUBLIC;
