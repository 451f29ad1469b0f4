/**
 * Store schema step 4 (issue 5): the org's set-up a workstation syncs (locations,
 * practitioners and staff, practitioner schedules, non-secret configuration).
 * Appended to MIGRATIONS; never edit once shipped.
 */
export const SETUP_TABLES_SQL = `
  -- filled in by the set-up sync work
  SELECT 1;
`;
