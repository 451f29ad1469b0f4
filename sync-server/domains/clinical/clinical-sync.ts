import type { EncounterFields } from '../../../shared/entities/encounter.ts';
import { AppError } from '../../../shared/errors.ts';
import type { HybridClock } from '../../../shared/hlc.ts';
import type { Mutation } from '../../../shared/sync/mutation.ts';
import type { DomainDb } from '../../db/domain-db.ts';
import { APPLIED, rejected, type Applier, type ApplyContext, type Outcome, type SyncDomainService } from '../../sync/outcome.ts';
import { readClinicalChanges } from './clinical-feed.ts';
import { applyEncounter } from './encounter-sync.ts';
import { applyNote } from './note-sync.ts';
import { applyOrder } from './order-sync.ts';
import { gatherEncounterFacts, type ClinicalReferences, type EncounterReferenceFacts } from './references.ts';

const NEVER_DELETED = 'Clinical records are never deleted. Close the encounter, cancel the order or amend the note instead.';
const NO_PERSON = 'Clinical records can only be written by a signed-in person.';

/**
 * clinical as sync sees it: encounters, notes and orders pushed by workstations, applied
 * under the clinical rules (shared/entities/{encounter,note,order}.ts, the ones the desk
 * procedures use), and the org's clinical feed for pulls.
 */
export class ClinicalSyncService implements SyncDomainService {
  readonly domain = 'clinical' as const;
  readonly db: DomainDb;
  private readonly refs: ClinicalReferences;
  private readonly clock: HybridClock;

  constructor(db: DomainDb, refs: ClinicalReferences, clock: HybridClock) {
    this.db = db;
    this.refs = refs;
    this.clock = clock;
  }

  readChanges = readClinicalChanges;

  /** Ids of other domains (patients, practitioners, appointments) are asked about before the clinical transaction opens. */
  async prepare(tenantId: string, mutations: readonly Mutation[]): Promise<Applier> {
    const encounters = mutations.filter((m) => m.entity === 'encounter' && m.op === 'upsert').map((m) => m.fields as Partial<EncounterFields>);
    const facts = await gatherEncounterFacts(this.refs, tenantId, encounters);
    return (ctx, mutation) => this.apply(ctx, mutation, facts);
  }

  private async apply(ctx: ApplyContext, mutation: Mutation, facts: EncounterReferenceFacts): Promise<Outcome> {
    if (mutation.op === 'delete') return rejected('CONFLICT', NEVER_DELETED);
    if (ctx.userId === undefined) return rejected('FORBIDDEN', NO_PERSON);
    // The server's stamp, newer than every HLC of this push (push() received them all first).
    const w = { sql: ctx.sql, tenantId: ctx.tenantId, userId: ctx.userId, feed: ctx.feed, hlc: this.clock.tick() };
    try {
      if (mutation.entity === 'encounter') await applyEncounter(w, mutation, facts);
      else if (mutation.entity === 'note') await applyNote(w, mutation);
      else if (mutation.entity === 'order') await applyOrder(w, mutation);
      else return rejected('VALIDATION', 'This record does not belong to the clinical record.');
      return APPLIED;
    } catch (error) {
      // Every rule refuses before anything is written, so the transaction is still sound.
      if (error instanceof AppError) return rejected(error.code, error.message);
      throw error;
    }
  }
}
