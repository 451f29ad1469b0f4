-- Counters of logins that are no account of the org are purged once quiet
-- (sync-server/auth/sign-in-throttle.ts). Until now a counter with failures in a row (008)
-- was kept until a right password or an admin unlock, which never comes for a login that
-- is no member: every mistyped login, and every login an attacker sprays, left a row (a
-- hash of the org code and what was typed) for good, so the table grew without bound.
--
-- login_is_member: whether the login was a member of the row's org at its last recorded
-- failure, looked up by the statement that records the failure (after the password check,
-- never before it, and never told to the client). A failure in a row and a lock until
-- unlocked matter only to a member (only a member can be unlocked or listed as locked), so
-- the purge keeps them only on a member's row; another row is forgotten like any quiet
-- counter, a window after its last failure or timed lock. The default keeps the old rule
-- for what is not known: rows written before this migration are kept as before; a new row
-- has no failures in a row until its first failure, which sets the column.
-- What forgetting them lets a guesser learn, and at what price: sign-in-throttle.ts.
--
-- The purge's index covers every row it may delete, as in 008.
ALTER TABLE tenant_info.sign_in_throttle ADD COLUMN login_is_member boolean NOT NULL DEFAULT true;
DROP INDEX tenant_info.sign_in_throttle_forget;
CREATE INDEX sign_in_throttle_forget ON tenant_info.sign_in_throttle (forget_at_ms)
  WHERE (failures_in_a_row = 0 AND locked_at_ms IS NULL) OR NOT login_is_member;
