/** The eight business domains; each owns exactly one database on the server. */
export const DOMAINS = [
  'clinical',
  'scheduling',
  'configuration',
  'master_data',
  'process_automation',
  'personnel',
  'tenant_info',
  'audit',
] as const;

export type Domain = (typeof DOMAINS)[number];

/** Domains whose rows a workstation pulls into its store (grows as entities are added). */
export const SYNCED_DOMAINS = ['configuration', 'personnel', 'master_data', 'scheduling', 'clinical'] as const satisfies readonly Domain[];
export type SyncedDomain = (typeof SYNCED_DOMAINS)[number];
