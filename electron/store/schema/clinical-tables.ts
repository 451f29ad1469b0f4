/**
 * Store schema step 3 (issue 5): the clinical records a workstation syncs (encounters,
 * notes, orders). Appended to MIGRATIONS; never edit once shipped.
 */
export const CLINICAL_TABLES_SQL = `
  -- filled in by the clinical sync work
  SELECT 1;
`;
