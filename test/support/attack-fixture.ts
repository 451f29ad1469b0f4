import { randomBytes } from 'node:crypto';
import { uuidv7 } from '../../shared/ids.ts';
import { ROLES, type Role, type SessionInfo } from '../../shared/sync/auth.ts';
import { signedIn, type SyncClient, type TestDevice, type TestServer } from '../../sync-server/testing/harness.ts';

/** One signed-in user of an org: its own device, session and client. */
export interface AttackUser {
  role: Role;
  username: string;
  password: string;
  userId: string;
  deviceId: string;
  session: SessionInfo;
  client: SyncClient;
  device: TestDevice;
}

/** One of the two orgs of the fixture, with everything planted in it. */
export interface AttackOrg {
  label: 'A' | 'B';
  code: string;
  name: string;
  tenantId: string;
  users: Record<Role, AttackUser>;
  /** Ids planted in this org, by kind ("patient", "appointment", …); case builders pick from here. */
  ids: Record<string, string[]>;
  /** Strings only this org holds (PHI-like names, MRNs, free text): the other org must never receive one. */
  markers: string[];
  /** A session of this org ended by the admin, and one signed out. */
  expiredToken: string;
  revokedToken: string;
}

export interface AttackFixture {
  server: TestServer;
  url: string;
  a: AttackOrg;
  b: AttackOrg;
  /** Ids that legitimately belong to both orgs (a patient linked into both), by kind. */
  shared: Record<string, string[]>;
  /** Other planted facts builders need (a third org's code, a link code issued there, …). */
  values: Record<string, string>;
}

/** Puts an org's data in place through its own procedures (or the admin API); records ids and markers. */
export interface Planter {
  name: string;
  plant(fx: AttackFixture): Promise<void>;
}

/** A string only letters, so it passes the validation a person's name must pass; unique per run. */
export function marker(prefix: string): string {
  return prefix + [...randomBytes(12)].map((byte) => String.fromCharCode(97 + (byte % 26))).join('');
}

export function addIds(bag: Record<string, string[]>, kind: string, ...ids: string[]): void {
  (bag[kind] ??= []).push(...ids);
}

/** The planted id of a kind; fails loudly when no planter made one (add one in test/isolation/planted-data.ts). */
export function idOf(org: AttackOrg, kind: string, index = 0): string {
  const id = org.ids[kind]?.[index];
  if (!id) throw new Error(`no ${kind} #${index} planted in org ${org.label}; add a planter in test/isolation/planted-data.ts`);
  return id;
}

/** A planted fact by name; fails loudly when no planter recorded it. */
export function valueOf(fx: AttackFixture, key: string): string {
  const value = fx.values[key];
  if (value === undefined) throw new Error(`no value ${key} planted; add a planter in test/isolation/planted-data.ts`);
  return value;
}

/** Random decimal digits (identifiers, NPIs, tax ids). */
export function digits(n: number): string {
  return [...randomBytes(n)].map((byte) => String(byte % 10)).join('');
}

const DISPLAY: Record<Role, string> = { front_desk: 'Desk', clinician: 'Doctor', org_admin: 'Admin', it_admin: 'Tech' };

/** An org with one user of every role (each signed in on its own device) plus spare ended sessions. */
async function createAttackOrg(server: TestServer, label: 'A' | 'B'): Promise<AttackOrg> {
  const code = `atk-${label.toLowerCase()}-${uuidv7().slice(-6)}`;
  const name = `Clinic ${marker(label)}`;
  const { tenantId } = await server.admin.createTenant({ code, name });
  const markers = [name];
  const users = {} as Record<Role, AttackUser>;
  await Promise.all(
    ROLES.map(async (role) => {
      const username = role.replace('_', '');
      const password = `pw-${label}-${role}-${uuidv7().slice(-8)}`;
      const displayName = `${DISPLAY[role]} ${marker(label)}`;
      markers.push(displayName);
      const { userId } = await server.admin.createUser({ tenantId, username, password, displayName, role });
      const signed = await signedIn(server, { code, username, password });
      users[role] = { role, username, password, userId, deviceId: signed.deviceId, session: signed.session, client: signed.client, device: signed.device };
    }),
  );
  const desk = users.front_desk;
  const [expiring, leaving] = await Promise.all([signedIn(server, { code, username: desk.username, password: desk.password }), signedIn(server, { code, username: desk.username, password: desk.password })]);
  await server.admin.expireSession({ tenantId, token: expiring.session.token });
  await leaving.client.auth.signOut.mutate({});
  const org: AttackOrg = { label, code, name, tenantId, users, ids: {}, markers, expiredToken: expiring.session.token, revokedToken: leaving.session.token };
  addIds(org.ids, 'tenant', tenantId);
  addIds(org.ids, 'user', ...ROLES.map((role) => users[role].userId));
  addIds(org.ids, 'device', ...ROLES.map((role) => users[role].deviceId));
  return org;
}

/** Two orgs on one server, each with users of every role, then every planter's data in both. */
export async function createAttackFixture(server: TestServer, planters: readonly Planter[]): Promise<AttackFixture> {
  const [a, b] = await Promise.all([createAttackOrg(server, 'A'), createAttackOrg(server, 'B')]);
  const fx: AttackFixture = { server, url: server.url, a, b, shared: {}, values: {} };
  for (const planter of planters) {
    try {
      await planter.plant(fx);
    } catch (error) {
      throw new Error(`planter ${planter.name} failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
  }
  return fx;
}

/** Every id and marker of an org (its leak-check vocabulary), minus what it shares with the other org. */
export function secretsOf(victim: AttackOrg, shared: AttackFixture['shared']): string[] {
  const sharedIds = new Set(Object.values(shared).flat());
  const ids = Object.values(victim.ids).flat().filter((id) => !sharedIds.has(id));
  return [...victim.markers, ...ids, victim.code];
}

/**
 * The victim's secrets an answer carries, except those the attacker itself already sent
 * (an id typed into a request is known to its sender; the org's own trail may list it).
 */
export function leakedFrom(secrets: readonly string[], received: string, alreadySent: (secret: string) => boolean): string[] {
  return secrets.filter((secret) => received.includes(secret) && !alreadySent(secret));
}
