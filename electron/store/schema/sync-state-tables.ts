/**
 * Store schema step 5 (issue 5): sync bookkeeping (bootstrap progress, checksum reports,
 * conflict resolution state). Appended to MIGRATIONS; never edit once shipped.
 */
export const SYNC_STATE_TABLES_SQL = `
  -- filled in by the sync engine work
  SELECT 1;
`;
