import type { Domain } from '../../shared/domains.ts';

/**
 * The domains that hold an org's OWN data, and so move with it to a dedicated placement.
 * The rest stay in the shared control plane for every org:
 * - tenant_info: the directory and the placement table itself (routing starts there);
 * - master_data: a patient's core identity sits above the org, shared by every org linked
 *   to it, so it cannot live inside one org's database;
 * - process_automation: the shared work queue, whose payloads are PHI-free ids and codes.
 */
export const PLACED_DOMAINS = ['clinical', 'scheduling', 'configuration', 'personnel', 'audit'] as const satisfies readonly Domain[];

export type PlacedDomain = (typeof PLACED_DOMAINS)[number];

export function isPlacedDomain(domain: Domain): domain is PlacedDomain {
  return (PLACED_DOMAINS as readonly Domain[]).includes(domain);
}
