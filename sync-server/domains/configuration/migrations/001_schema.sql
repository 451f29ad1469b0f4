-- The configuration domain has no synced tables yet; its schema exists so the domain has a home,
-- its roles and grants, and so the catalog test covers whatever is added here later.
COMMENT ON SCHEMA configuration IS 'Clinicsync configuration domain';
