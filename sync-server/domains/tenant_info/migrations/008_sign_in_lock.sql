-- The hard cap on failed sign-ins (NIST SP 800-63B §5.2.2: no more than 100 consecutive
-- failed attempts on one account; sync-server/auth/sign-in-throttle.ts). The windowed
-- counter of 006 forgets its failures a window after the last one, so a patient guesser
-- could go on forever; these columns do not.
--
-- failures_in_a_row: failed attempts on the (org, login) counter since its last right
-- password or admin unlock (both delete the row), never reset by the window or a quiet
-- spell. locked_at_ms: when it reached the limit; from then on every attempt is refused,
-- right password or not, until an administrator of the org unlocks it (admin.users.unlock,
-- which deletes the row in the org's own tenant context, under the policy of 006).
--
-- Kept on the hashed (org, login) row rather than on the account, so an unknown login is
-- counted, locked and refused exactly like a real one: same rows, same statements, same
-- answer, and nothing about who exists is read before the password check.
--
-- Only counters with neither are purged once quiet; the purge's index covers just those,
-- so rows kept for their failures in a row never slow it down. The table keeps its forced
-- row-level security (006).
ALTER TABLE tenant_info.sign_in_throttle
  ADD COLUMN failures_in_a_row integer NOT NULL DEFAULT 0 CHECK (failures_in_a_row >= 0),
  ADD COLUMN locked_at_ms bigint,
  ADD CONSTRAINT sign_in_throttle_in_a_row_accounts_only CHECK (kind = 'account' OR (failures_in_a_row = 0 AND locked_at_ms IS NULL));
DROP INDEX tenant_info.sign_in_throttle_forget;
CREATE INDEX sign_in_throttle_forget ON tenant_info.sign_in_throttle (forget_at_ms) WHERE failures_in_a_row = 0 AND locked_at_ms IS NULL;
