-- The concurrent edits a push was answered with (field, winner, the other device's value
-- and HLC), kept with the ledger entry so a replay of the same mutation (its first answer
-- lost on the wire) is answered with them again and the device still logs the conflict.
ALTER TABLE scheduling.applied_mutations ADD COLUMN conflicts jsonb;
