import { randomUUID } from 'node:crypto';
import { CAPABILITY_NAMES, roleCan, type Capability } from '../../shared/auth/capabilities.ts';
import { uuidv7 } from '../../shared/ids.ts';
import { ROLES, type Role } from '../../shared/sync/auth.ts';
import { signedIn } from '../../sync-server/testing/harness.ts';
import { UNATTRIBUTED, type AuditCounter } from './attack-audit.ts';
import { callAs, callRaw, callWithClient, type CallOutcome, type ProcedureType } from './attack-calls.ts';
import type { CrossIdField, ExtraAttack, ProcedureCase, ProtectedCase } from './attack-case.ts';
import { leakedFrom, secretsOf, type AttackFixture, type AttackUser } from './attack-fixture.ts';
import { fingerprintDiff, type OrgFingerprint } from './attack-fingerprint.ts';
import { garbledAuthorizations, injectionPayloads, malformedOrgHeaders } from './attack-payloads.ts';
import { idLeaves, pathKey, stringLeaves, withValue } from './attack-paths.ts';

/** What the router says about a procedure. */
export interface ProcedureInfo {
  path: string;
  type: ProcedureType;
  capability: Capability | null;
  isPublic: boolean;
  audited: boolean;
}

interface ProcedureDef {
  _def: { type: ProcedureType; meta?: { capability?: string; public?: true; unaudited?: true } };
}

/** Every procedure of a router, from `_def.procedures` (so a new one shows up without a list to update). */
export function listProcedures(router: { _def: { procedures: object } }): ProcedureInfo[] {
  return Object.entries(router._def.procedures as Record<string, ProcedureDef>).map(([path, procedure]) => {
    const meta = procedure._def.meta ?? {};
    const capability = (CAPABILITY_NAMES as readonly string[]).includes(meta.capability ?? '') ? (meta.capability as Capability) : null;
    return { path, type: procedure._def.type, capability, isPublic: meta.public === true, audited: meta.unaudited !== true };
  });
}

/** One attack call: how to make it, what it sent, which org it targets, and how to judge it. */
interface Attack {
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

const TENANTLESS = new Set(['TENANT_REQUIRED', 'TENANT_UNKNOWN']);
/** Traces of a database or runtime error that must never reach a client. */
const INTERNAL_TRACE = /syntax error|violates|duplicate key|relation "|SQLSTATE|invalid byte sequence|invalid input syntax|node_modules|\.ts:\d+/i;
const CONCURRENCY = 4;

const expectCode = (code: string) => (outcome: CallOutcome) =>
  outcome.appCode === code ? null : `expected ${code}, got ${outcome.ok ? 'success' : `${outcome.appCode} (${outcome.message})`}`;

async function runLimited<T>(tasks: readonly (() => Promise<T>)[], limit: number): Promise<T[]> {
  const results: T[] = new Array(tasks.length);
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const index = next++;
      results[index] = await tasks[index]!();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
  return results;
}

/** Replaces values that differ between two otherwise identical answers (ids, clocks, times). */
function normalized(outcome: CallOutcome): string {
  if (!outcome.ok) return `${outcome.appCode}: ${outcome.message}`;
  return JSON.stringify(outcome.data ?? null)
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, '<id>')
    .replace(/\d{15}-\d{6}-[0-9a-z-]{1,64}/g, '<hlc>')
    .replace(/\d{4}-\d{2}-\d{2}T[\d:.]+(Z|[+-]\d{2}:\d{2})/g, '<time>');
}

/**
 * Runs every attack kind against one procedure, as real HTTP against the real server, and
 * after each group of calls checks that org B's rows are unchanged in all eight databases
 * and that every refused call left its audit entry. Returns the problems found.
 */
export class AttackRun {
  private readonly fx: AttackFixture;
  private readonly fingerprint: OrgFingerprint;
  private readonly audit: AuditCounter;
  /** Attack calls made, by kind (controls and comparison calls are not counted). */
  readonly counts = new Map<string, number>();
  private readonly secrets: { A: string[]; B: string[] };
  /**
   * Secrets of either org that some earlier request already carried. The sender knows them,
   * and they may since be A's own data: A's audit trail lists the ids its refused attempts
   * named, an injection string holding B's org id became an A patient's name, a uniqueness
   * probe gave A a room named like B's. What must never come back is what A never sent.
   */
  private readonly sentBefore = new Set<string>();

  constructor(fx: AttackFixture, fingerprint: OrgFingerprint, audit: AuditCounter) {
    this.fx = fx;
    this.fingerprint = fingerprint;
    this.audit = audit;
    this.secrets = { A: secretsOf(fx.a, fx.shared), B: secretsOf(fx.b, fx.shared) };
  }

  private remember(sent: string): void {
    for (const secret of [...this.secrets.A, ...this.secrets.B]) if (sent.includes(secret)) this.sentBefore.add(secret);
  }

  /** Counts attacks a test made outside `run` (e.g. a live-subscription probe). */
  record(kind: string, n: number): void {
    this.counts.set(kind, (this.counts.get(kind) ?? 0) + n);
  }

  get total(): number {
    let sum = 0;
    for (const n of this.counts.values()) sum += n;
    return sum;
  }

  async run(info: ProcedureInfo, c: ProcedureCase): Promise<string[]> {
    const problems: string[] = [];
    const note = (problem: string | null) => problem && problems.push(problem);

    const control = await this.controlCall(info, c);
    note(control.ok ? (c.control?.(control.data) ?? null) : `${info.path}: the valid input for A was refused: ${control.appCode} (${control.message})`);
    note(this.leaks(`${info.path} control`, control, ''));

    const groups: [string, Attack[]][] = [];
    if (!c.public) {
      note(this.missingIdFields(c));
      groups.push(['headers', this.headerAttacks(info, c)]);
      groups.push(['cross-org-ids', this.crossIdAttacks(info, c)]);
      groups.push(['forbidden-role', this.forbiddenAttacks(info, c)]);
    }
    groups.push(['sql-injection', this.injectionAttacks(info, c)]);
    const extraKinds = [...new Set((c.extra ?? []).map((attack) => attack.kind))];
    for (const kind of extraKinds) groups.push([kind, (c.extra ?? []).filter((attack) => attack.kind === kind).map((attack) => this.extraAttack(info, c, attack))]);

    for (const [kind, attacks] of groups) if (attacks.length > 0) problems.push(...(await this.group(info, kind, attacks)));
    return problems;
  }

  /** One group: fingerprint B, run the calls (a few at a time), judge each, fingerprint again, settle the audit. */
  private async group(info: ProcedureInfo, kind: string, attacks: Attack[]): Promise<string[]> {
    const problems: string[] = [];
    const victim = this.fx.b;
    const before = await this.fingerprint.take(victim.tenantId);
    const auditBefore = await this.audit.snapshot([info.path]);
    for (const attack of attacks) this.remember(attack.sent());
    const outcomes = await runLimited(attacks.map((attack) => () => attack.call()), CONCURRENCY);
    attacks.forEach((attack, index) => {
      const outcome = outcomes[index]!;
      const label = `${info.path} [${kind}] ${attack.name}`;
      const problem = attack.judge(outcome);
      if (problem) problems.push(`${label}: ${problem}`);
      const leak = this.leaks(label, outcome, attack.sent(), attack.victim ?? 'B');
      if (leak) problems.push(leak);
      if (!outcome.ok && outcome.appCode === 'INTERNAL') problems.push(`${label}: answered INTERNAL (an unhandled error) instead of a clear code`);
      for (const audited of [outcome, ...(attack.side ?? [])]) {
        if (info.audited && !audited.ok && audited.appCode && !['TRANSPORT', 'ADMITTED'].includes(audited.appCode)) {
          this.audit.expect(attack.target === '*' ? '*' : TENANTLESS.has(audited.appCode) ? UNATTRIBUTED : attack.target, info.path, audited.appCode);
        }
      }
    });
    this.counts.set(kind, (this.counts.get(kind) ?? 0) + attacks.length);
    const after = await this.fingerprint.take(victim.tenantId);
    for (const diff of fingerprintDiff(before, after)) problems.push(`${info.path} [${kind}] changed org B: ${diff}`);
    problems.push(...(await this.audit.settle(auditBefore, [info.path])).map((problem) => `${info.path} [${kind}] ${problem}`));
    return problems;
  }

  /** B's data in an answer to anyone but B, or a database/runtime trace in any answer. */
  private leaks(label: string, outcome: CallOutcome, sent: string, victim: 'A' | 'B' = 'B'): string | null {
    const found = leakedFrom(this.secrets[victim], outcome.text, (secret) => this.sentBefore.has(secret) || sent.includes(secret));
    if (found.length > 0) return `${label}: the answer carries org ${victim}'s data: ${found.join(', ')}`;
    if (!outcome.ok && INTERNAL_TRACE.test(outcome.text)) return `${label}: the error carries an internal trace: ${outcome.text.slice(0, 200)}`;
    return null;
  }

  private userOf(org: 'A' | 'B', role: Role): AttackUser {
    return (org === 'A' ? this.fx.a : this.fx.b).users[role];
  }

  private async controlCall(info: ProcedureInfo, c: ProcedureCase): Promise<CallOutcome> {
    if (c.public) return callAs(this.fx.url, {}, info.type, info.path, c.input());
    const user = this.userOf('A', c.role);
    if (!c.consumesSession) return callWithClient(user.client, info.type, info.path, c.input());
    const fresh = await signedIn(this.fx.server, { code: this.fx.a.code, username: user.username, password: user.password });
    return callWithClient(fresh.client, info.type, info.path, c.input());
  }

  /** Every UUID-valued field of the valid input must have a cross-org variant. */
  private missingIdFields(c: ProtectedCase): string | null {
    const listed = new Set(c.crossIds.map((field) => pathKey(field.path)));
    const missing = idLeaves(c.input()).map(pathKey).filter((key) => !listed.has(key));
    return missing.length > 0 ? `id fields without a cross-org case: ${missing.join(', ')}` : null;
  }

  /** Kinds 1–5: no org, unknown org, malformed org, another org's token, no/garbled/ended token. */
  private headerAttacks(info: ProcedureInfo, c: ProtectedCase): Attack[] {
    const { a, b, url } = this.fx;
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
    if (info.type === 'subscription') {
      // The same checks over WebSocket, where org and token travel as connectionParams.
      const ws: { name: string; auth: { tenantId?: string; token?: string }; code: string; target: string }[] = [
        { name: 'no org', auth: { token: tokenA }, code: 'TENANT_REQUIRED', target: UNATTRIBUTED },
        { name: 'unknown org', auth: { tenantId: uuidv7(), token: tokenA }, code: 'TENANT_UNKNOWN', target: UNATTRIBUTED },
        { name: 'malformed org', auth: { tenantId: "' OR 1=1 --", token: tokenA }, code: 'TENANT_REQUIRED', target: UNATTRIBUTED },
        { name: "A's org + B's token", auth: { tenantId: a.tenantId, token: tokenB }, code: 'TENANT_MISMATCH', target: a.tenantId },
        { name: "B's org + A's token", auth: { tenantId: b.tenantId, token: tokenA }, code: 'TENANT_MISMATCH', target: b.tenantId },
        { name: 'no token', auth: { tenantId: a.tenantId }, code: 'UNAUTHENTICATED', target: a.tenantId },
        { name: 'garbled token', auth: { tenantId: a.tenantId, token: 'nonsense' }, code: 'UNAUTHENTICATED', target: a.tenantId },
        { name: 'expired token', auth: { tenantId: a.tenantId, token: a.expiredToken }, code: 'UNAUTHENTICATED', target: a.tenantId },
      ];
      for (const spec of ws) {
        attacks.push({
          name: `${spec.name} (WebSocket)`,
          call: () => callAs(url, spec.auth, info.type, info.path, input),
          sent: () => JSON.stringify({ input, auth: spec.auth }),
          target: spec.target,
          judge: expectCode(spec.code),
        });
      }
    }
    return attacks;
  }

  /** Kind 6: A's own session, B's id in each id field; answered exactly like an id that does not exist. */
  private crossIdAttacks(info: ProcedureInfo, c: ProtectedCase): Attack[] {
    const user = this.userOf('A', c.role);
    return c.crossIds.map((field: CrossIdField) => {
      const input = withValue(c.input(), field.path, field.id);
      let unknown: CallOutcome | null = null;
      const side: CallOutcome[] = [];
      return {
        name: `B's id in ${pathKey(field.path)}`,
        side,
        call: async () => {
          const outcome = await callWithClient(user.client, info.type, info.path, input);
          if (!field.clientChosen && !field.judge) {
            unknown = await callWithClient(user.client, info.type, info.path, withValue(c.input(), field.path, uuidv7()));
            side.push(unknown);
          }
          return outcome;
        },
        sent: () => JSON.stringify(input),
        target: this.fx.a.tenantId,
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
  private forbiddenAttacks(info: ProcedureInfo, c: ProtectedCase): Attack[] {
    if (!info.capability) return [];
    const capability = info.capability;
    return ROLES.filter((role) => !roleCan(role, capability)).map((role) => {
      const input = c.input();
      return {
        name: `${role} lacks ${capability}`,
        call: () => callWithClient(this.userOf('A', role).client, info.type, info.path, input),
        sent: () => JSON.stringify(input),
        target: this.fx.a.tenantId,
        judge: expectCode('FORBIDDEN'),
      };
    });
  }

  /** Kind 8: each injection string in each string field; a validation error or a harmless answer. */
  private injectionAttacks(info: ProcedureInfo, c: ProcedureCase): Attack[] {
    const fields = [...stringLeaves(c.input()).map((leaf) => leaf.path), ...(c.optionalStrings ?? []).map((field) => field.path)];
    const allowed = new Set(['VALIDATION', ...(c.injectionCodes ?? ['NOT_FOUND', 'CONFLICT'])]);
    const attacks: Attack[] = [];
    for (const path of fields) {
      for (const payload of injectionPayloads(this.fx.b.tenantId)) {
        const build = () => withValue(c.input(), path, payload.value);
        const input = build();
        attacks.push({
          name: `${payload.name} in ${pathKey(path)}`,
          call: () => (c.public ? callAs(this.fx.url, {}, info.type, info.path, input) : callWithClient(this.userOf('A', c.role).client, info.type, info.path, input)),
          sent: () => JSON.stringify(input),
          target: c.public ? '*' : this.fx.a.tenantId,
          judge: (outcome) => (outcome.ok || allowed.has(outcome.appCode ?? '') ? null : `expected VALIDATION or a harmless answer, got ${outcome.appCode} (${outcome.message})`),
        });
      }
    }
    return attacks;
  }

  private extraAttack(info: ProcedureInfo, c: ProcedureCase, attack: ExtraAttack): Attack {
    const { a, b, url } = this.fx;
    const as = attack.as ?? (c.public ? 'none' : { org: 'A' as const, role: c.role });
    const headerOrg = attack.headers?.['x-tenant-id'];
    const org = attack.headers ? ([a, b].find((o) => o.tenantId === headerOrg) ?? null) : as === 'none' ? null : as.org === 'A' ? a : b;
    const call = () => {
      if (attack.headers) return callRaw(url, info.type, info.path, attack.input, attack.headers);
      if (as === 'none') return callAs(url, {}, info.type, info.path, attack.input);
      return callWithClient(this.userOf(as.org, as.role).client, info.type, info.path, attack.input);
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
}
