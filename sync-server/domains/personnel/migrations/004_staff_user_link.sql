-- A staff record may name the sign-in account (tenant_info) of the person it describes, so
-- the desk knows whose day My day shows and whose name a note's author id stands for.
-- No foreign key: accounts live in another domain's database; the personnel service asks
-- tenant_info (a service call) that the account is a member of this org before it writes.
ALTER TABLE personnel.staff ADD COLUMN user_id uuid;
-- One staff record per account in an org. Starts with tenant_id, so a clash only ever tells
-- an org about its own staff.
CREATE UNIQUE INDEX staff_user ON personnel.staff (tenant_id, user_id) WHERE user_id IS NOT NULL;
