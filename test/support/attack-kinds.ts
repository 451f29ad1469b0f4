import { randomUUID } from 'node:crypto';
import { roleCan } from '../../shared/auth/capabilities.ts';
import { uuidv7 } from '../../shared/ids.ts';
import { ROLES } from '../../shared/sync/auth.ts';
import { UNATTRIBUTED } from './attack-audit.ts';
import { callAs, callRaw, callWithClient, type CallOutcome } from './attack-calls.ts';
import type { CrossIdField, ExtraAttack, ProcedureCase, ProtectedCase } from './attack-case.ts';
import type { AttackFixture } from './attack-fixture.ts';
import { garbledAuthorizations, injectionPayloads, malformedOrgHeaders } from './attack-payloads.ts';
import { pathKey, stringLeaves, withValue } from './attack-paths.ts';
import type { ProcedureInfo } from './attack-procedures.ts';

/**
 * The attack kinds, each turned into calls for one procedure: request entry (kinds 1–5),
 * another org's ids (6), a role without the capability (9), injection strings (8), and the
 * case's own attacks (7 and the rest). test/support/attack-runner.ts runs and judges them.
 */

/** One attack call: how to make it, what it sent, which org it targets, and how to judge it. */
export interface Attack {
  name: string;
  call: () => Promise<CallOutcome>;
  sent: () => string;
  /** The org named by the request (its audit entry goes there unless no such org exists); '*' for public procedures. */
  target: string;
  /** Whose data the answer must not carry (default B). */
  victim?: 'A' | 'B';
  /** Outcomes of uncounted comparison calls the attack made (each left an audit entry too). */
  side?: CallOutcome[];
  judge: (outcome: CallOutcome) => string | null;
}

/** One valid input of a case (the main one or a variant) with its cross-org ids. */
export interface Shape {
  label: string;
  input: () => unknown;
  crossIds: CrossIdField[];
}

const expectCode = (code: string) => (outcome: CallOutcome) =>
  outcome.appCode === code ? null : `expected ${code}, got ${outcome.ok ? 'success' : `${outcome.appCode} (${outcome.message})`}`;

/** Replaces values that differ between two otherwise identical answers (ids, clocks, times). */
function normalized(outcome: CallOutcome): string {
  if (!outcome.ok) return `${outcome.appCode}: ${outcome.message}`;
  return JSON.stringify(outcome.data ?? null)
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, '<id>')
    .replace(/\d{15}-\d{6}-[0-9a-z-]{1,64}/g, '<hlc>')
    .replace(/\d{4}-\d{2}-\d{2}T[\d:.]+(Z|[+-]\d{2}:\d{2})/g, '<time>');
}

/** Kinds 1–5: no org, unknown org, malformed org, another org's token, no/garbled/ended token. */
export function headerAttacks(fx: AttackFixture, info: ProcedureInfo, c: ProtectedCase): Attack[] {
  const { a, b, url } = fx;
  const tokenA = a.users[c.role].session.token;
  const tokenB = b.users[c.role].session.token;
  const bearer = (token: string) => `Bearer ${token}`;
  const input = c.input();
  const firstCross = c.crossIds[0];
  const aimedAtB = firstCross ? withValue(input, firstCross.path, firstCross.id) : input;
  const cases: { name: string; headers: Record<string, string>; code: string; target: string; input?: unknown }[] = [
    { name: 'no org header', headers: { authorization: bearer(tokenA) }, code: 'TENANT_REQUIRED', target: UNATTRIBUTED },
    { name: 'no org header, no token', headers: {}, code: 'TENANT_REQUIRED', target: UNATTRIBUTED },
    { name: 'unknown org (v7)', headers: { 'x-tenant-id': uuidv7(), authorization: bearer(tokenA) }, code: 'TENANT_UNKNOWN', target: UNATTRIBUTED },
    { name: 'unknown org (v4)', headers: { 'x-tenant-id': randomUUID(), authorization: bearer(tokenA) }, code: 'TENANT_UNKNOWN', target: UNATTRIBUTED },
    ...malformedOrgHeaders(a.tenantId, b.code).map((value, i) => ({
      name: `malformed org header #${i + 1}`,
      headers: { 'x-tenant-id': value, authorization: bearer(tokenA) },
      code: 'TENANT_REQUIRED',
      target: UNATTRIBUTED,
    })),
    { name: "A's org + B's token", headers: { 'x-tenant-id': a.tenantId, authorization: bearer(tokenB) }, code: 'TENANT_MISMATCH', target: a.tenantId },
    { name: "B's org + A's token, B's ids", headers: { 'x-tenant-id': b.tenantId, authorization: bearer(tokenA) }, code: 'TENANT_MISMATCH', target: b.tenantId, input: aimedAtB },
    { name: "B's org + A's ended token", headers: { 'x-tenant-id': b.tenantId, authorization: bearer(a.expiredToken) }, code: 'TENANT_MISMATCH', target: b.tenantId },
    { name: 'no token', headers: { 'x-tenant-id': a.tenantId }, code: 'UNAUTHENTICATED', target: a.tenantId },
    ...garbledAuthorizations(a.tenantId).map((token) => ({
      name: `garbled token (${token.name})`,
      headers: { 'x-tenant-id': a.tenantId, authorization: token.header },
      code: 'UNAUTHENTICATED',
      target: a.tenantId,
    })),
    { name: 'expired token', headers: { 'x-tenant-id': a.tenantId, authorization: bearer(a.expiredToken) }, code: 'UNAUTHENTICATED', target: a.tenantId },
    { name: 'revoked token', headers: { 'x-tenant-id': a.tenantId, authorization: bearer(a.revokedToken) }, code: 'UNAUTHENTICATED', target: a.tenantId },
    { name: "B's revoked token on B's org", headers: { 'x-tenant-id': b.tenantId, authorization: bearer(b.revokedToken) }, code: 'UNAUTHENTICATED', target: b.tenantId, input: aimedAtB },
  ];
  const attacks: Attack[] = cases.map((spec) => {
    const body = spec.input ?? input;
    return {
      name: `${spec.name} (HTTP)`,
      call: () => callRaw(url, info.type, info.path, body, spec.headers),
      sent: () => JSON.stringify({ body, headers: spec.headers }),
      target: spec.target,
      judge: expectCode(spec.code),
    };
  });
  // The same checks over WebSocket, where org and token travel as connectionParams: every
  // procedure, since the server serves queries and mutations on the socket too (a
  // workstation sends its sync calls there once subscribed).
  const overSocket: { name: string; auth: { tenantId?: string; token?: string }; code: string; target: string; input?: unknown }[] = [
    { name: 'no org', auth: { token: tokenA }, code: 'TENANT_REQUIRED', target: UNATTRIBUTED },
    { name: 'unknown org', auth: { tenantId: uuidv7(), token: tokenA }, code: 'TENANT_UNKNOWN', target: UNATTRIBUTED },
    { name: 'malformed org', auth: { tenantId: "' OR 1=1 --", token: tokenA }, code: 'TENANT_REQUIRED', target: UNATTRIBUTED },
    { name: "A's org + B's token", auth: { tenantId: a.tenantId, token: tokenB }, code: 'TENANT_MISMATCH', target: a.tenantId },
    { name: "B's org + A's token, B's ids", auth: { tenantId: b.tenantId, token: tokenA }, code: 'TENANT_MISMATCH', target: b.tenantId, input: aimedAtB },
    { name: 'no token', auth: { tenantId: a.tenantId }, code: 'UNAUTHENTICATED', target: a.tenantId },
    { name: 'garbled token', auth: { tenantId: a.tenantId, token: 'nonsense' }, code: 'UNAUTHENTICATED', target: a.tenantId },
    { name: 'expired token', auth: { tenantId: a.tenantId, token: a.expiredToken }, code: 'UNAUTHENTICATED', target: a.tenantId },
    { name: 'revoked token', auth: { tenantId: a.tenantId, token: a.revokedToken }, code: 'UNAUTHENTICATED', target: a.tenantId },
  ];
  for (const spec of overSocket) {
    const body = spec.input ?? input;
    attacks.push({
      name: `${spec.name} (WebSocket)`,
      call: () => callAs(url, spec.auth, info.type, info.path, body, 'ws'),
      sent: () => JSON.stringify({ input: body, auth: spec.auth }),
      target: spec.target,
      judge: expectCode(spec.code),
    });
  }
  return attacks;
}

/** Kind 6: A's own session, B's id in each id field; answered exactly like an id that does not exist. */
export function crossIdAttacks(fx: AttackFixture, info: ProcedureInfo, c: ProtectedCase, shape: Shape): Attack[] {
  const user = fx.a.users[c.role];
  return shape.crossIds.map((field: CrossIdField) => {
    const input = withValue(shape.input(), field.path, field.id);
    let unknown: CallOutcome | null = null;
    const side: CallOutcome[] = [];
    return {
      name: `${shape.label}B's id in ${pathKey(field.path)}`,
      side,
      call: async () => {
        const outcome = await callWithClient(user.client, info.type, info.path, input);
        if (!field.clientChosen && !field.judge) {
          unknown = await callWithClient(user.client, info.type, info.path, withValue(shape.input(), field.path, uuidv7()));
          side.push(unknown);
        }
        return outcome;
      },
      sent: () => JSON.stringify(input),
      target: fx.a.tenantId,
      judge: (outcome) => {
        if (field.judge) return field.judge(outcome);
        if (field.clientChosen) return expectCode('NOT_FOUND')(outcome);
        const theirs = normalized(outcome);
        const unknownAnswer = unknown ? normalized(unknown) : '(not asked)';
        return theirs === unknownAnswer ? null : `B's id is answered differently from an unknown id: ${theirs.slice(0, 300)} vs ${unknownAnswer.slice(0, 300)}`;
      },
    };
  });
}

/** Kind 9: every role without the capability gets FORBIDDEN. */
export function forbiddenAttacks(fx: AttackFixture, info: ProcedureInfo, c: ProtectedCase): Attack[] {
  if (!info.capability) return [];
  const capability = info.capability;
  return ROLES.filter((role) => !roleCan(role, capability)).map((role) => {
    const input = c.input();
    return {
      name: `${role} lacks ${capability}`,
      call: () => callWithClient(fx.a.users[role].client, info.type, info.path, input),
      sent: () => JSON.stringify(input),
      target: fx.a.tenantId,
      judge: expectCode('FORBIDDEN'),
    };
  });
}

/** Kind 8: each injection string in each string field; a validation error or a harmless answer. */
export function injectionAttacks(fx: AttackFixture, info: ProcedureInfo, c: ProcedureCase, shape: Shape): Attack[] {
  const fields = stringLeaves(shape.input()).map((leaf) => leaf.path);
  const allowed = new Set(['VALIDATION', ...(c.injectionCodes ?? ['NOT_FOUND', 'CONFLICT'])]);
  const attacks: Attack[] = [];
  for (const path of fields) {
    for (const payload of injectionPayloads(fx.b.tenantId)) {
      const input = withValue(shape.input(), path, payload.value);
      attacks.push({
        name: `${shape.label}${payload.name} in ${pathKey(path)}`,
        call: () => (c.public ? callAs(fx.url, {}, info.type, info.path, input) : callWithClient(fx.a.users[c.role].client, info.type, info.path, input)),
        sent: () => JSON.stringify(input),
        target: c.public ? '*' : fx.a.tenantId,
        judge: (outcome) => (outcome.ok || allowed.has(outcome.appCode ?? '') ? null : `expected VALIDATION or a harmless answer, got ${outcome.appCode} (${outcome.message})`),
      });
    }
  }
  return attacks;
}

export function extraAttack(fx: AttackFixture, info: ProcedureInfo, c: ProcedureCase, attack: ExtraAttack): Attack {
  const { a, b, url } = fx;
  const as = attack.as ?? (c.public ? 'none' : { org: 'A' as const, role: c.role });
  const headerOrg = attack.headers?.['x-tenant-id'];
  const org = attack.headers ? ([a, b].find((o) => o.tenantId === headerOrg) ?? null) : as === 'none' ? null : as.org === 'A' ? a : b;
  const call = () => {
    if (attack.headers) return callRaw(url, info.type, info.path, attack.input, attack.headers);
    if (as === 'none') return callAs(url, {}, info.type, info.path, attack.input);
    return callWithClient((as.org === 'A' ? a : b).users[as.role].client, info.type, info.path, attack.input);
  };
  return {
    name: attack.name,
    call,
    sent: () => JSON.stringify({ input: attack.input, headers: attack.headers ?? {} }),
    target: c.public ? '*' : (org?.tenantId ?? UNATTRIBUTED),
    // A call made with B's own session may see B's data; its answer must then hold none of A's.
    victim: org === b && !attack.headers ? 'A' : 'B',
    judge: typeof attack.expect === 'string' ? expectCode(attack.expect) : attack.expect,
  };
}
