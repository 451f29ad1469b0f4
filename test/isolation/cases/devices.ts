import { uuidv7 } from '../../../shared/ids.ts';
import { PROTOCOL_VERSION } from '../../../shared/sync/version.ts';
import { EnrollmentTokens } from '../../../sync-server/domains/tenant_info/enrollment-tokens.ts';
import { signedIn, syncClient } from '../../../sync-server/testing/harness.ts';
import type { CallOutcome, CaseBuilder } from '../../support/attack-case.ts';
import { idOf, valueOf, type AttackFixture } from '../../support/attack-fixture.ts';
import { injectionPayloads } from '../../support/attack-payloads.ts';
import { noCrossOrgConflict, okOr, succeeded } from './judges.ts';

const v = PROTOCOL_VERSION;
const FAKE_SECRET = 'A'.repeat(43);

/** The secret part of an org-bound token (`<prefix>.<tenantId>.<secret>`). */
const secretOf = (token: string) => token.split('.')[2]!;

/** A successful upload that stored exactly `n` new entries. */
const storedExactly = (n: number) => (o: CallOutcome) =>
  !o.ok ? `expected an upload answer, got ${o.appCode} (${o.message})` : (o.data as { stored: number }).stored === n ? null : `expected ${n} stored, got ${JSON.stringify(o.data)}`;

/** devices.*: the workstation's side of the device lifecycle. */
export const deviceCases: Record<string, CaseBuilder> = {
  'devices.enroll': async (fx: AttackFixture) => {
    const { server, a, b } = fx;
    // One fresh token of A's for every call that may use one up (control, injections in the name).
    const calls = injectionPayloads(b.tenantId).length * 3 + 10;
    const pool = await Promise.all(Array.from({ length: calls }, () => server.admin.issueEnrollmentToken({ tenantId: a.tenantId, ttlMinutes: 60 })));
    let next = 0;
    const freshToken = () => {
      const issued = pool[next++];
      if (!issued) throw new Error('devices.enroll case: the token pool is used up; raise its size');
      return issued.token;
    };
    const enroll = (token: string, deviceId = uuidv7()) => ({ protocolVersion: v, token, deviceId, deviceName: 'Desk 9' });
    const used = (await server.admin.issueEnrollmentToken({ tenantId: a.tenantId })).token;
    await syncClient(server.url).devices.enroll.mutate(enroll(used));
    const expired = (await server.admin.issueEnrollmentToken({ tenantId: a.tenantId })).token;
    await new EnrollmentTokens(server.databases.domains.tenant_info).expire(a.tenantId, expired);
    return {
      public: true,
      input: () => enroll(freshToken()),
      control: (data) => {
        const result = data as { tenantId: string; deviceCredential: string };
        if (result.tenantId !== a.tenantId) return `enrolled into ${result.tenantId}, not A`;
        return result.deviceCredential.startsWith(`cd1.${a.tenantId}.`) ? null : 'the device credential is not bound to A';
      },
      injectionCodes: ['INVALID_CREDENTIALS', 'CONFLICT'],
      extra: [
        { kind: 'cross-org-enrollment', name: "A's token re-addressed to B", input: enroll(`ce1.${b.tenantId}.${secretOf(freshToken())}`), expect: 'INVALID_CREDENTIALS' },
        { kind: 'cross-org-enrollment', name: 'a forged token for B', input: enroll(`ce1.${b.tenantId}.${FAKE_SECRET}`), expect: 'INVALID_CREDENTIALS' },
        { kind: 'cross-org-enrollment', name: "A's token, already used", input: enroll(used), expect: 'INVALID_CREDENTIALS' },
        { kind: 'cross-org-enrollment', name: "A's token, expired", input: enroll(expired), expect: 'INVALID_CREDENTIALS' },
        { kind: 'cross-org-enrollment', name: "A's session token as the enrollment token", input: enroll(a.users.it_admin.session.token), expect: 'VALIDATION' },
        { kind: 'cross-org-enrollment', name: "a token naming an org that does not exist", input: enroll(`ce1.${uuidv7()}.${FAKE_SECRET}`), expect: 'INVALID_CREDENTIALS' },
        // Device ids are per org: B's workstation id is free in A (else A learns what B has).
        // Not B's device #0: other cases aim at it as an id A must not know.
        { kind: 'uniqueness-oracle', name: "B's enrolled workstation id enrolled into A", input: enroll(freshToken(), idOf(b, 'enrolledDevice')), expect: noCrossOrgConflict },
        { kind: 'uniqueness-oracle', name: 'a workstation id A already knows', input: enroll(freshToken(), a.users.front_desk.deviceId), expect: 'CONFLICT' },
      ],
    };
  },

  'devices.reportWipe': async (fx: AttackFixture) => {
    const { server, a, b } = fx;
    const desk = a.users.front_desk;
    // A spare workstation of A's whose wipe the valid calls report (no attacking session uses it).
    const spare = await signedIn(server, { code: a.code, username: desk.username, password: desk.password });
    const report = (tenantId: string, deviceId: string, proof: string) => ({
      protocolVersion: v,
      tenantId,
      deviceId,
      reason: 'device_revoked',
      wipedAt: new Date().toISOString(),
      proof,
    });
    const aCredential = valueOf(fx, 'A.deviceCredential');
    const bCredential = valueOf(fx, 'B.deviceCredential');
    return {
      public: true,
      input: () => report(a.tenantId, spare.deviceId, spare.session.token),
      // The same report proved with A's enrolled workstation's credential instead of a token.
      variants: [{ input: () => ({ ...report(a.tenantId, idOf(a, 'enrolledDevice'), aCredential), reason: 'org_offboarded' }) }],
      control: (data) => ((data as { ok?: unknown }).ok === true ? null : `unexpected answer ${JSON.stringify(data)}`),
      injectionCodes: ['INVALID_CREDENTIALS'],
      extra: [
        { kind: 'cross-org-wipe', name: "B's org, A's device and token", input: report(b.tenantId, spare.deviceId, spare.session.token), expect: 'INVALID_CREDENTIALS' },
        { kind: 'cross-org-wipe', name: "B's org and device, A's token", input: report(b.tenantId, b.users.front_desk.deviceId, spare.session.token), expect: 'INVALID_CREDENTIALS' },
        { kind: 'cross-org-wipe', name: "A's org, B's device, A's token", input: report(a.tenantId, b.users.front_desk.deviceId, spare.session.token), expect: 'INVALID_CREDENTIALS' },
        { kind: 'cross-org-wipe', name: "B's enrolled device, A's credential", input: report(b.tenantId, idOf(b, 'enrolledDevice'), aCredential), expect: 'INVALID_CREDENTIALS' },
        { kind: 'cross-org-wipe', name: "A's enrolled device, B's credential", input: report(a.tenantId, idOf(a, 'enrolledDevice'), bCredential), expect: 'INVALID_CREDENTIALS' },
        { kind: 'cross-org-wipe', name: "B's device with a forged B token", input: report(b.tenantId, b.users.front_desk.deviceId, `cs1.${b.tenantId}.${FAKE_SECRET}`), expect: 'INVALID_CREDENTIALS' },
        { kind: 'cross-org-wipe', name: "B's device with a forged B credential", input: report(b.tenantId, idOf(b, 'enrolledDevice'), `cd1.${b.tenantId}.${FAKE_SECRET}`), expect: 'INVALID_CREDENTIALS' },
        { kind: 'cross-org-wipe', name: "another A device's token", input: report(a.tenantId, desk.deviceId, spare.session.token), expect: 'INVALID_CREDENTIALS' },
        { kind: 'cross-org-wipe', name: 'an org that does not exist', input: report(uuidv7(), spare.deviceId, spare.session.token), expect: 'INVALID_CREDENTIALS' },
        {
          kind: 'cross-org-wipe',
          name: "B's org header on A's report",
          headers: { 'x-tenant-id': b.tenantId },
          input: report(a.tenantId, spare.deviceId, spare.session.token),
          expect: 'TENANT_MISMATCH',
        },
      ],
    };
  },

  'devices.uploadBreakGlass': ({ a, b }: AttackFixture) => {
    const desk = a.users.front_desk;
    const started = Date.now() - 10 * 60_000;
    const entry = (overrides: Record<string, unknown> = {}) => ({
      id: uuidv7(),
      userId: desk.userId,
      reason: 'Unconscious patient, chart needed now',
      startedAt: new Date(started).toISOString(),
      expiresAt: new Date(started + 60 * 60_000).toISOString(),
      ...overrides,
    });
    const upload = (...entries: ReturnType<typeof entry>[]) => ({ deviceId: desk.deviceId, entries });
    return {
      role: 'front_desk',
      input: () => upload(entry()),
      control: (data) => storedExactly(1)(succeeded(data)),
      crossIds: [
        { path: ['deviceId'], id: idOf(b, 'device') },
        { path: ['entries', 0, 'userId'], id: idOf(b, 'user') },
        // Entry ids are per org: B's id is a new entry in A, never B's row.
        { path: ['entries', 0, 'id'], id: idOf(b, 'breakGlass'), clientChosen: true, judge: storedExactly(1) },
      ],
      extra: [
        { kind: 'cross-org-break-glass', name: "A's entry and one naming B's user: nothing stored", input: upload(entry(), entry({ userId: b.users.clinician.userId })), expect: 'VALIDATION' },
        { kind: 'cross-org-break-glass', name: "B's workstation named by A", input: { ...upload(entry()), deviceId: b.users.front_desk.deviceId }, expect: 'FORBIDDEN' },
        { kind: 'cross-org-break-glass', name: "another of A's workstations", input: { ...upload(entry()), deviceId: a.users.clinician.deviceId }, expect: 'FORBIDDEN' },
        { kind: 'cross-org-break-glass', name: 'a tenantId in the input', input: { ...upload(entry()), tenantId: b.tenantId }, expect: okOr('VALIDATION') },
        { kind: 'cross-org-break-glass', name: "A's planted entry again (idempotent)", input: upload(entry({ id: idOf(a, 'breakGlass') })), expect: storedExactly(0) },
        { kind: 'cross-org-break-glass', name: 'an entry that ends before it starts', input: upload(entry({ expiresAt: new Date(started - 60_000).toISOString() })), expect: 'VALIDATION' },
      ],
    };
  },
};
