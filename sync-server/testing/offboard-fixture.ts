import { uuidv7 } from '../../shared/ids.ts';
import type { SyncServerHandle } from '../server.ts';
import { appointmentFields, patientFields, signedIn, type TestDevice } from './harness.ts';

/** Test support for the offboarding suites: PHI markers that must never survive an offboarded org. */
export const PHI = { sharedName: 'Sharedina', ownName: 'Ownerton', note: 'Offboard-marker note text', mrn: 'OFF-MRN-77' };

export interface SeededOrg {
  tenantId: string;
  code: string;
  desk: { device: TestDevice; token: string; deviceId: string };
  /** A patient only this org links. */
  ownPatient: string;
  password: string;
}

/**
 * An org with a front desk and a clinician (through the admin API), two patients, an
 * appointment, an encounter and a note (through sync, as workstations write them).
 */
export async function seedOrg(server: SyncServerHandle, code: string): Promise<SeededOrg> {
  const { tenantId } = await server.admin.createTenant({ code, name: `Clinic ${code}` });
  const password = `pw-${code}-${uuidv7().slice(-8)}`;
  await server.admin.createUser({ tenantId, username: 'desk', password, displayName: 'Desk Person', role: 'front_desk' });
  await server.admin.createUser({ tenantId, username: 'doc', password, displayName: 'Doc Person', role: 'clinician' });
  const desk = await signedIn(server, { code, username: 'desk', password });
  const doc = await signedIn(server, { code, username: 'doc', password });
  const ownPatient = uuidv7();
  const encounter = uuidv7();
  const pushed = await desk.device.push(
    desk.device.mutation('patient', ownPatient, patientFields({ givenName: PHI.ownName, familyName: code, mrn: `${PHI.mrn}-${code}` })),
    desk.device.mutation('appointment', uuidv7(), appointmentFields(ownPatient)),
  );
  const clinical = await doc.device.push(
    doc.device.mutation('encounter', encounter, { patientId: ownPatient, appointmentId: null, practitionerId: null, status: 'open', startedAt: '2026-03-02T09:00:00.000Z', endedAt: null }),
    doc.device.mutation('note', uuidv7(), { encounterId: encounter, amendsId: null, kind: 'progress', body: PHI.note, status: 'draft', authorId: doc.session.userId, signedAt: null }),
  );
  for (const result of [...pushed.results, ...clinical.results]) if (result.status !== 'applied') throw new Error(`seed push refused: ${JSON.stringify(result)}`);
  return { tenantId, code, password, ownPatient, desk: { device: desk.device, token: desk.session.token, deviceId: desk.deviceId } };
}

/** A patient created in `owner` and linked into `other` (the second org's own MRN). */
export async function sharedPatient(server: SyncServerHandle, owner: SeededOrg, other: SeededOrg): Promise<string> {
  const id = uuidv7();
  const { results } = await owner.desk.device.push(owner.desk.device.mutation('patient', id, patientFields({ givenName: PHI.sharedName, mrn: `${PHI.mrn}-shared` })));
  if (results[0]?.status !== 'applied') throw new Error('shared patient refused');
  await server.admin.linkPatient({ tenantId: other.tenantId, patientId: id, mrn: 'OTHER-1' });
  return id;
}
