/**
 * Store schema step 8: an index on the search rows' compacted MRN, so a search can put the
 * patient whose MRN it names exactly first without reading every match (electron/store/queries.ts
 * caps how many matches a broad search ranks). Appended to MIGRATIONS; never edit once shipped.
 */
export const SEARCH_MRN_INDEX_SQL = `
  CREATE INDEX patient_search_rows_mrn ON patient_search_rows (mrn_key);
`;
