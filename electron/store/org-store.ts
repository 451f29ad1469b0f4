import { appointmentTimesAreOrdered, type AppointmentFields } from '../../shared/entities/appointment.ts';
import type { PatientFields } from '../../shared/entities/patient.ts';
import type { PullPage } from '../../shared/sync/pull.ts';
import type { SyncedDomain } from '../../shared/domains.ts';
import type { Mutation, MutationResult } from '../../shared/sync/mutation.ts';
import { StoreClock } from './clock.ts';
import { readCursor } from './cursors.ts';
import type { Db } from './db.ts';
import { applyPullPage } from './merge.ts';
import { openStore, type OpenStoreOptions } from './open-store.ts';
import { pendingBatch, pendingCount, rejectedMutations, settleOutbox, type RejectedMutation } from './outbox.ts';
import { listAppointments, listPatients, registerQueryFunctions, type AppointmentRow, type PatientRow } from './queries.ts';
import { EntityRepository } from './repository.ts';

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

  private constructor(db: Db, tenantId: string, deviceId: string) {
    this.db = db;
    this.tenantId = tenantId;
    this.clock = new StoreClock(db, deviceId);
    registerQueryFunctions(db);
    this.patients = new EntityRepository({ db, clock: this.clock, entity: 'patient', noun: 'patient' });
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

  static open(options: OpenStoreOptions & { deviceId: string }): OrgStore {
    return new OrgStore(openStore(options), options.tenantId, options.deviceId);
  }

  listPatients(options: { search?: string | undefined; limit?: number | undefined } = {}): PatientRow[] {
    return listPatients(this.db, options);
  }

  listAppointments(): AppointmentRow[] {
    return listAppointments(this.db);
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

  applyPage(page: PullPage): void {
    applyPullPage(this.db, this.clock, page);
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

export type { PatientFields, AppointmentFields, PatientRow, AppointmentRow };
