import { uuidv7 } from '../../../../shared/ids.ts';
import type { Role } from '../../../../shared/sync/auth.ts';
import { patientFields, signedIn, type SyncClient, type TestDevice, type TestServer } from '../../../testing/harness.ts';

/**
 * Test support for the domain router suites (clinical, personnel, configuration): an org
 * whose named users (one per role by default) are each signed in on their own device.
 */
export interface RoleOrg<U extends string> {
  code: string;
  tenantId: string;
  client: Record<U, SyncClient>;
  userId: Record<U, string>;
  device: Record<U, TestDevice>;
}

export const ONE_PER_ROLE = { desk: 'front_desk', doctor: 'clinician', admin: 'org_admin', tech: 'it_admin' } as const satisfies Record<string, Role>;

export async function orgWithUsers<U extends string>(server: TestServer, code: string, users: Record<U, Role>): Promise<RoleOrg<U>> {
  const { tenantId } = await server.admin.createTenant({ code, name: `Test org ${code}` });
  const org = { code, tenantId, client: {}, userId: {}, device: {} } as RoleOrg<U>;
  await Promise.all(
    (Object.entries(users) as [U, Role][]).map(async ([username, role]) => {
      const password = `pw-${code}-${username}-${uuidv7().slice(-8)}`;
      const { userId } = await server.admin.createUser({ tenantId, username, password, displayName: `${role} ${username}`, role });
      const signed = await signedIn(server, { code, username, password });
      org.client[username] = signed.client;
      org.userId[username] = userId;
      org.device[username] = signed.device;
    }),
  );
  return org;
}

/** A patient registered by the org (through sync, as a workstation would), so it is linked to the org. */
export async function registerPatient(device: TestDevice, mrn: string): Promise<string> {
  const id = uuidv7();
  const result = await device.push(device.mutation('patient', id, patientFields({ mrn })));
  const outcome = JSON.stringify(result);
  if (!outcome.includes('applied')) throw new Error(`patient not registered: ${outcome}`);
  return id;
}
