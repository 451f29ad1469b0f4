/**
 * Store schema step 5 (issue 5): sync bookkeeping (bootstrap progress, checksum reports,
 * conflict resolution state). Appended to MIGRATIONS; never edit once shipped.
 */
export const SYNC_STATE_TABLES_SQL = `
  -- The first download of each domain: how far it got. Updated in the same transaction as
  -- every page it counts (and the cursor), so after a crash it resumes with true figures.
  CREATE TABLE sync_bootstrap (
    domain TEXT PRIMARY KEY,
    rows_done INTEGER NOT NULL DEFAULT 0,
    rows_total INTEGER NOT NULL DEFAULT 0,
    started_at TEXT NOT NULL,
    finished_at TEXT
  ) WITHOUT ROWID;

  -- The last checksum comparison of each domain with the server (no row data, only counts).
  CREATE TABLE sync_checksums (
    domain TEXT PRIMARY KEY,
    checked_at TEXT NOT NULL,
    outcome TEXT NOT NULL CHECK (outcome IN ('match', 'resynced', 'still_different')),
    local_rows INTEGER NOT NULL,
    server_rows INTEGER NOT NULL,
    removed INTEGER NOT NULL DEFAULT 0,
    mismatches INTEGER NOT NULL DEFAULT 0
  ) WITHOUT ROWID;

  -- A person's decision on a logged conflict: keep the winner, or write the loser back.
  ALTER TABLE conflicts ADD COLUMN resolved_at TEXT;
  ALTER TABLE conflicts ADD COLUMN resolution TEXT CHECK (resolution IN ('winner', 'loser'));
  ALTER TABLE conflicts ADD COLUMN resolved_by TEXT;
  CREATE INDEX conflicts_open ON conflicts (resolved_at, id);

  -- Per field a queued change sets, the HLC of the value it replaced (JSON; NULL for a new
  -- record): the server tells a concurrent edit from a follow-up by comparing it.
  ALTER TABLE outbox ADD COLUMN base_hlc TEXT;
`;
