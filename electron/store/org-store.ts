import { AppError } from '../../shared/errors.ts';
import { appointmentTimesAreOrdered, type AppointmentFields } from '../../shared/entities/appointment.ts';
import type { PatientFields } from '../../shared/entities/patient.ts';
import type { PullPage } from '../../shared/sync/pull.ts';
import type { SyncedDomain } from '../../shared/domains.ts';
import type { Mutation, MutationResult } from '../../shared/sync/mutation.ts';
import type { EntityName } from '../../shared/entities/catalog.ts';
import { EncounterRecords, NoteRecords, OrderRecords } from './clinical-records.ts';
import { StoreClock } from './clock.ts';
import { resolveConflict, type Resolver } from './conflict-resolution.ts';
import { listConflicts, type ConflictChoice, type LoggedConflict } from './conflicts.ts';
import { readCursor } from './cursors.ts';
import type { Db } from './db.ts';
import { applyPullPage } from './merge.ts';
import { openStoreFile, type OpenedStore, type OpenStoreOptions, type StoreOpenReport } from './open-store.ts';
import { pendingBatch, pendingCount, rejectedMutations, settleOutbox, type RejectedMutation } from './outbox.ts';
import { listAppointments, listPatients, type AppointmentRow, type PatientRow } from './queries.ts';
import { EntityRepository } from './repository.ts';
import * as setup from './setup-queries.ts';
import type { RestoredCopyRecovery } from './restored-copy.ts';
import type { WatermarkKeeper } from './watermark-keeper.ts';
import { bumpWriteGeneration } from './write-generation.ts';

export type OrgStoreOptions = OpenStoreOptions & { deviceId: string };

type Options<F extends (db: Db, options: never) => unknown> = Parameters<F>[1];

/** OrgStore.setup: the read-only queries of setup-queries.ts on this store. */
export interface SetupQueries {
  locations(options?: Options<typeof setup.listLocations>): setup.LocationRow[];
  staff(options?: Options<typeof setup.listStaff>): setup.StaffMemberRow[];
  practitioners(options?: { includeInactive?: boolean | undefined }): setup.StaffMemberRow[];
  schedules(filter?: Options<typeof setup.listSchedules>): setup.ScheduleRow[];
  practiceProfile(): setup.PracticeProfileRow | null;
  payerContracts(options?: Options<typeof setup.listPayerContracts>): setup.PayerContractRow[];
  agentConfig(): setup.AgentConfigRow | null;
  /** Open double-booked slots by default; `status: 'all'` for every one. */
  bookingConflicts(options?: Options<typeof setup.listBookingConflicts>): setup.BookingConflictRow[];
}

/**
 * One org's open store: the repositories the local API writes through, the queries it
 * reads with, and the outbox/cursor operations the sync engine needs. Everything is
 * local, so it all keeps working while the server is unreachable.
 */
export class OrgStore {
  readonly tenantId: string;
  readonly db: Db;
  readonly clock: StoreClock;
  readonly patients: EntityRepository<'patient'>;
  readonly appointments: EntityRepository<'appointment'>;
  /** Clinical records (never deleted; the clinical rules checked before anything is queued). */
  readonly encounters: EncounterRecords;
  readonly notes: NoteRecords;
  readonly orders: OrderRecords;
  /** What the open found and did (created, schema upgrade, watermark state, recovery). */
  readonly openReport: StoreOpenReport;
  private readonly watermark: WatermarkKeeper;

  private constructor({ db, report, watermark }: OpenedStore, tenantId: string, deviceId: string) {
    this.db = db;
    this.tenantId = tenantId;
    this.openReport = report;
    this.watermark = watermark;
    // Every tick/receive is a write that matters: the watermark follows once it commits.
    this.clock = new StoreClock(db, deviceId, { onWrite: () => watermark.schedule() });
    this.patients = new EntityRepository({ db, clock: this.clock, entity: 'patient', noun: 'patient' });
    this.encounters = new EncounterRecords(db, this.clock);
    this.notes = new NoteRecords(db, this.clock);
    this.orders = new OrderRecords(db, this.clock);
    this.appointments = new EntityRepository({
      db,
      clock: this.clock,
      entity: 'appointment',
      noun: 'appointment',
      check: (store, fields) => {
        const problems: Record<string, string> = {};
        if (!appointmentTimesAreOrdered(fields)) problems['endsAt'] = 'must be after the start';
        if (!store.prepare('SELECT 1 FROM patients WHERE id = ?').get(fields.patientId)) problems['patientId'] = 'is not a patient on this workstation';
        return problems;
      },
    });
  }

  /**
   * Opens the org's store. Throws StoreOpenError with reason 'wrong_key', 'not_a_database',
   * 'other_org', 'damaged', 'newer_schema', 'upgrade_failed' or 'restored', each leaving the
   * file as it was. On 'restored', the shell tells the desk and calls openRestoredCopy.
   */
  static open(options: OrgStoreOptions): OrgStore {
    return new OrgStore(openStoreFile({ ...options, restoredCopy: 'refuse' }), options.tenantId, options.deviceId);
  }

  /**
   * Opens a store that open() refused as 'restored' (an older copy put back over the
   * current one) and performs the safe resync: every pull cursor back to the beginning,
   * every outbox entry kept, the clock moved past the last value this device issued, the
   * watermark rewritten (restored-copy.ts). Safe on any store; on one that is not behind it
   * only costs a full download. Every other refusal of open() still applies.
   */
  static openRestoredCopy(options: OrgStoreOptions): { store: OrgStore; recovery: RestoredCopyRecovery } {
    const opened = openStoreFile({ ...options, restoredCopy: 'resync' });
    const { recovery } = opened.report;
    if (recovery === null) {
      opened.db.close();
      throw new AppError('INTERNAL', 'The local store could not be brought up to date.');
    }
    return { store: new OrgStore(opened, options.tenantId, options.deviceId), recovery };
  }

  listPatients(options: { search?: string | undefined; limit?: number | undefined } = {}): PatientRow[] {
    return listPatients(this.db, options);
  }

  listAppointments(): AppointmentRow[] {
    return listAppointments(this.db);
  }

  /** The org's set-up as last pulled: read-only (edited online by admins; no repository, no outbox). */
  get setup(): SetupQueries {
    const db = this.db;
    return {
      locations: (options) => setup.listLocations(db, options),
      staff: (options) => setup.listStaff(db, options),
      practitioners: (options) => setup.listStaff(db, { ...options, practitionersOnly: true }),
      schedules: (filter) => setup.listSchedules(db, filter),
      practiceProfile: () => setup.practiceProfile(db),
      payerContracts: (options) => setup.listPayerContracts(db, options),
      agentConfig: () => setup.agentConfig(db),
      bookingConflicts: (options) => setup.listBookingConflicts(db, options),
    };
  }

  pendingBatch(limit: number): Mutation[] {
    return pendingBatch(this.db, limit);
  }

  pendingCount(): number {
    return pendingCount(this.db);
  }

  rejected(): RejectedMutation[] {
    return rejectedMutations(this.db);
  }

  settle(results: readonly MutationResult[], serverHlc: string): void {
    this.db.transaction(() => {
      settleOutbox(this.db, results);
      this.clock.receive(serverHlc);
    })();
  }

  cursor(domain: SyncedDomain): string {
    return readCursor(this.db, domain);
  }

  /** The repository local edits of `entity` go through; undefined for set-up data only the server writes. */
  repositoryFor(entity: EntityName): EntityRepository<EntityName> | undefined {
    for (const value of Object.values(this)) {
      if (value instanceof EntityRepository && value.entity === entity) return value as EntityRepository<EntityName>;
    }
    return undefined;
  }

  /** The conflict log (values that lost a merge); `open` leaves out resolved ones. */
  conflicts(options: { open?: boolean } = {}): LoggedConflict[] {
    return listConflicts(this.db, options);
  }

  /** Keep the winner, or write the loser back as a new local edit (conflict-resolution.ts). */
  resolveConflict(input: { id: number; keep: ConflictChoice }, resolver: Resolver): LoggedConflict {
    return this.write(() => resolveConflict(this, input, resolver));
  }

  applyPage(page: PullPage): void {
    applyPullPage(this.db, this.clock, page);
  }

  /**
   * A write outside the repositories (e.g. local users, break-glass entries) that must count
   * as one: one transaction that also advances the write generation, so a copy of the
   * store from before it is recognised as restored.
   */
  write<T>(work: (db: Db) => T): T {
    const result = this.db.transaction(() => {
      const value = work(this.db);
      bumpWriteGeneration(this.db);
      return value;
    })();
    this.watermark.schedule();
    return result;
  }

  /** The watermark file could not be written at the last attempt (it lags: safe, but detection is weaker). */
  watermarkWriteFailed(): boolean {
    return this.watermark.writeFailed();
  }

  close(): void {
    if (!this.db.open) return;
    this.watermark.flush({ durable: true }); // record (and sync) what was committed up to now
    this.db.close();
  }
}

export type { PatientFields, AppointmentFields, PatientRow, AppointmentRow, RestoredCopyRecovery, StoreOpenReport };
