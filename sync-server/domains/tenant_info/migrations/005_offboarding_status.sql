-- 'offboarding' (issue 7): `tenant offboard` has frozen the org and is exporting and
-- deleting its data. Requests are refused exactly as for 'offboarded' (ORG_OFFBOARDED, so
-- its workstations wipe their copy at once); the status becomes 'offboarded' when the
-- deletion is verified and its certificate written. Neither status can go back to active.
ALTER TABLE tenant_info.tenants DROP CONSTRAINT tenants_status_check;
ALTER TABLE tenant_info.tenants ADD CONSTRAINT tenants_status_check CHECK (status IN ('active', 'suspended', 'offboarding', 'offboarded'));
