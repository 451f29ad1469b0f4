import type { Role } from '../../shared/sync/auth.ts';
import { signedIn } from '../../sync-server/testing/harness.ts';
import { UNATTRIBUTED, type AuditCounter } from './attack-audit.ts';
import { callAs, callWithClient, type CallOutcome } from './attack-calls.ts';
import type { ProcedureCase } from './attack-case.ts';
import { leakedFrom, secretsOf, type AttackFixture, type AttackUser } from './attack-fixture.ts';
import { fingerprintDiff, type Fingerprint, type OrgFingerprint } from './attack-fingerprint.ts';
import { crossIdAttacks, extraAttack, forbiddenAttacks, headerAttacks, injectionAttacks, type Attack, type Shape } from './attack-kinds.ts';
import { idLeaves, pathKey, stringLeaves } from './attack-paths.ts';
import type { ProcedureInfo } from './attack-procedures.ts';

const TENANTLESS = new Set(['TENANT_REQUIRED', 'TENANT_UNKNOWN']);
/** Traces of a database or runtime error that must never reach a client. */
const INTERNAL_TRACE = /syntax error|violates|duplicate key|relation "|SQLSTATE|invalid byte sequence|invalid input syntax|node_modules|\.ts:\d+/i;
const CONCURRENCY = 4;

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
    const shapes: Shape[] = [
      { label: '', input: c.input, crossIds: c.public ? [] : c.crossIds },
      ...(c.variants ?? []).map((variant, i) => ({ label: `variant ${i + 1}: `, input: variant.input, crossIds: variant.crossIds ?? [] })),
    ];

    for (const shape of shapes) {
      const control = await this.controlCall(info, c, shape);
      const label = `${info.path} ${shape.label}control`;
      note(control.ok ? (shape === shapes[0] ? (c.control?.(control.data) ?? null) : null) : `${label}: the valid input for A was refused: ${control.appCode} (${control.message})`);
      note(this.leaks(label, control, ''));
      if (!c.public) note(this.missingIdFields(info, shape));
    }
    note(this.missingStringFields(info, shapes));

    const groups: [string, Attack[]][] = [];
    if (!c.public) {
      groups.push(['headers', headerAttacks(this.fx, info, c)]);
      groups.push(['cross-org-ids', shapes.flatMap((shape) => crossIdAttacks(this.fx, info, c, shape))]);
      groups.push(['forbidden-role', forbiddenAttacks(this.fx, info, c)]);
    }
    groups.push(['sql-injection', shapes.flatMap((shape) => injectionAttacks(this.fx, info, c, shape))]);
    const extraKinds = [...new Set((c.extra ?? []).map((attack) => attack.kind))];
    for (const kind of extraKinds) groups.push([kind, (c.extra ?? []).filter((attack) => attack.kind === kind).map((attack) => extraAttack(this.fx, info, c, attack))]);

    // One group's closing fingerprint is the next group's opening one: nothing but reads of
    // the audit log runs between them, so taking it again would read the same rows (and a
    // change landing late, after the closing one, is now blamed on the next group, not lost).
    let fingerprinted: Fingerprint | undefined;
    for (const [kind, attacks] of groups) {
      if (attacks.length === 0) continue;
      const done = await this.group(info, kind, attacks, fingerprinted);
      problems.push(...done.problems);
      fingerprinted = done.after;
    }
    return problems;
  }

  /** One group: fingerprint B (unless given), run the calls (a few at a time), judge each, fingerprint again, settle the audit. */
  private async group(info: ProcedureInfo, kind: string, attacks: Attack[], fingerprinted?: Fingerprint): Promise<{ problems: string[]; after: Fingerprint }> {
    const problems: string[] = [];
    const victim = this.fx.b;
    const before = fingerprinted ?? (await this.fingerprint.take(victim.tenantId));
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
          const chain = attack.target === '*' ? '*' : TENANTLESS.has(audited.appCode) ? UNATTRIBUTED : attack.target;
          this.audit.expect(chain, info.path, audited.appCode);
        }
      }
    });
    this.counts.set(kind, (this.counts.get(kind) ?? 0) + attacks.length);
    const after = await this.fingerprint.take(victim.tenantId);
    for (const diff of fingerprintDiff(before, after)) problems.push(`${info.path} [${kind}] changed org B: ${diff}`);
    problems.push(...(await this.audit.settle(auditBefore, [info.path])).map((problem) => `${info.path} [${kind}] ${problem}`));
    return { problems, after };
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

  private async controlCall(info: ProcedureInfo, c: ProcedureCase, shape: Shape): Promise<CallOutcome> {
    if (c.public) return callAs(this.fx.url, {}, info.type, info.path, shape.input());
    const user = this.userOf('A', c.role);
    if (!c.consumesSession) return callWithClient(user.client, info.type, info.path, shape.input());
    const fresh = await signedIn(this.fx.server, { code: this.fx.a.code, username: user.username, password: user.password });
    return callWithClient(fresh.client, info.type, info.path, shape.input());
  }

  /** Every string field the input schema declares must be in some valid input (so injections reach it). */
  private missingStringFields(info: ProcedureInfo, shapes: Shape[]): string | null {
    const present = new Set(shapes.flatMap((shape) => stringLeaves(shape.input()).map((leaf) => pathKey(leaf.path))));
    const missing = info.stringFields.map(pathKey).filter((key) => !present.has(key));
    return missing.length > 0 ? `${info.path}: string fields of the input schema missing from every valid input: ${missing.join(', ')}` : null;
  }

  /** Every UUID-valued field of a valid input must have a cross-org variant. */
  private missingIdFields(info: ProcedureInfo, shape: Shape): string | null {
    const listed = new Set(shape.crossIds.map((field) => pathKey(field.path)));
    const missing = idLeaves(shape.input()).map(pathKey).filter((key) => !listed.has(key));
    return missing.length > 0 ? `${info.path} ${shape.label}id fields without a cross-org case: ${missing.join(', ')}` : null;
  }

}
