import type { CallOutcome } from '../../support/attack-case.ts';
import type { AttackOrg } from '../../support/attack-fixture.ts';

/** Judges shared by the case builders: each returns a problem, or null when the answer is right. */

const described = (o: CallOutcome) => (o.ok ? 'success' : `${o.appCode} (${o.message})`);

/** A successful answer to wrap a control's data in, so judges can check controls too. */
export const succeeded = (data: unknown): CallOutcome => ({ ok: true, appCode: null, message: null, status: null, data, text: '' });

export const okOnly = (o: CallOutcome): string | null => (o.ok ? null : `expected success, got ${described(o)}`);

export const okOr =
  (...codes: string[]) =>
  (o: CallOutcome): string | null =>
    o.ok || codes.includes(o.appCode ?? '') ? null : `expected success or ${codes.join('/')}, got ${described(o)}`;

/** Reads for another org's scope: an empty list, or NOT_FOUND. */
export const emptyOrNotFound = (o: CallOutcome): string | null => {
  if (!o.ok) return o.appCode === 'NOT_FOUND' ? null : `expected an empty answer or NOT_FOUND, got ${described(o)}`;
  return Array.isArray(o.data) && o.data.length === 0 ? null : `expected an empty list, got ${JSON.stringify(o.data).slice(0, 200)}`;
};

/** A uniqueness rule must not tell one org that a value exists in another: the write succeeds. */
export const noCrossOrgConflict = (o: CallOutcome): string | null =>
  o.ok ? null : `a value held only by org B was refused in org A (${described(o)}): a uniqueness oracle across orgs`;

/** A push of a batch: every mutation answered with this status (and code, if rejected). */
export function pushAnswered(status: 'applied' | 'rejected', code?: string) {
  return (o: CallOutcome): string | null => {
    if (!o.ok) return `expected a push answer, got ${described(o)}`;
    const results = (o.data as { results: { status: string; code?: string }[] }).results;
    const wrong = results.filter((r) => r.status !== status || (code !== undefined && r.code !== code));
    return wrong.length === 0 ? null : `expected every mutation ${status}${code ? ` ${code}` : ''}, got ${JSON.stringify(results)}`;
  };
}

/** An audit page whose entries are all org A's. */
export function onlyOwnEntries(a: AttackOrg) {
  return (o: CallOutcome): string | null => {
    if (!o.ok) return `expected A's own (possibly empty) page, got ${described(o)}`;
    const entries = (o.data as { entries: { tenantId: string }[] }).entries;
    const foreign = entries.filter((entry) => entry.tenantId !== a.tenantId);
    return foreign.length === 0 ? null : `${foreign.length} entries of another org`;
  };
}

let slot = 0;
/** A fresh half-hour in 2031 for each booking, so the practitioner is never double-booked by accident. */
export function nextSlot(): { startsAt: string; endsAt: string } {
  const start = Date.UTC(2031, 0, 1, 8) + slot++ * 45 * 60_000;
  return { startsAt: new Date(start).toISOString(), endsAt: new Date(start + 30 * 60_000).toISOString() };
}

let counter = 0;
/** A short unique suffix (letters only) for names that must not repeat within an org. */
export function fresh(): string {
  counter++;
  return [...String(Date.now() % 1e8) + String(counter)].map((d) => String.fromCharCode(97 + Number(d))).join('');
}
