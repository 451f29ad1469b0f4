import { isEditedOnline } from '../../shared/entities/catalog.ts';
import type { SyncedDomain } from '../../shared/domains.ts';
import type { Mutation, MutationResult } from '../../shared/sync/mutation.ts';
import type { DomainDb } from '../db/domain-db.ts';
import type { FeedReader } from './feed-reader.ts';
import { rejected, type SyncDomainService } from './outcome.ts';

/**
 * The rule for set-up data (locations, schedules, staff, configuration, booking conflicts;
 * `editedOnline` in shared/entities/catalog.ts): admins change it online through its
 * procedures, where the whole record is validated against the rest of the set-up (overlaps,
 * unique names, versions) and audited. A workstation copy is read-only, so a pushed change
 * of it can only come from a faulty or tampered client: it is refused one by one (the rest
 * of the batch goes on), never applied, never recorded as applied, for every role.
 */
export const EDITED_ONLINE_REASON =
  'Locations, schedules, staff and practice settings are changed online by an administrator, not from a workstation. This change was not applied.';

/** The answer to a pushed mutation of a set-up entity, or null if the entity may be pushed. */
export function refuseIfEditedOnline(mutation: Mutation): MutationResult | null {
  if (!isEditedOnline(mutation.entity)) return null;
  return { mutationId: mutation.mutationId, status: 'rejected', code: 'FORBIDDEN', reason: EDITED_ONLINE_REASON };
}

/**
 * The sync side of a domain whose synced entities are all set-up: it only serves its feed.
 * push refuses these entities before any domain transaction, so prepare() is never reached;
 * it refuses everything all the same rather than pretend to apply anything.
 */
export function readOnlySyncDomain(domain: SyncedDomain, db: DomainDb, readChanges: FeedReader): SyncDomainService {
  return {
    domain,
    db,
    readChanges,
    prepare: async () => async () => rejected('FORBIDDEN', EDITED_ONLINE_REASON),
  };
}
