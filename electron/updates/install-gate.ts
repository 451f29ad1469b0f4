import type { Db } from '../store/db.ts';
import { pendingCount } from '../store/outbox.ts';

/** What would be interrupted by a restart now (counts only: never which patient or what text). */
export interface PendingWork {
  /** Draft notes written by someone who signs in on this workstation: a note may be open in its editor. */
  draftNotes: number;
  /** Local changes the server has not acknowledged yet (the outbox). */
  unsentChanges: number;
}

/**
 * What the workstation can say about its open session:
 * - 'signed_out': no org store is open, nobody is mid-encounter;
 * - 'locked': a session is open behind the lock screen (someone stepped away mid-work);
 *   its store is not read while locked, so the gate stays shut;
 * - the open store's pending work.
 */
export type SessionWork = { state: 'signed_out' } | { state: 'locked' } | { state: 'open'; work: PendingWork };

export interface GateDecision {
  safe: boolean;
  /** Why the update waits, in words for the person at the desk (empty when safe). */
  waitingFor: string;
}

/**
 * Counts the open store's pending work. Drafts are limited to authors in local_users (people
 * who signed in on this workstation): a colleague's draft pulled from the server is being
 * written at another desk, and a restart here cannot interrupt it. Every draft written on
 * this workstation has such an author, since writing needs a session here.
 */
export function pendingWorkOf(db: Db): PendingWork {
  const drafts = db
    .prepare<[], { n: number }>(`SELECT count(*) AS n FROM notes WHERE status = 'draft' AND author_id IN (SELECT user_id FROM local_users)`)
    .get();
  return { draftNotes: drafts?.n ?? 0, unsentChanges: pendingCount(db) };
}

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/**
 * The install gate: an update may restart the app only when nobody is mid-encounter, that
 * is when no session is open, or the open one has no draft note and an empty outbox.
 * Stores of other orgs on this workstation are closed: nobody works in them, their outbox
 * is in their file and is sent by whichever version opens them next, so they do not hold
 * an update back (docs/updates.md).
 */
export function installGate(session: SessionWork): GateDecision {
  if (session.state === 'signed_out') return { safe: true, waitingFor: '' };
  if (session.state === 'locked') return { safe: false, waitingFor: 'the locked session to be unlocked or signed out' };
  const { draftNotes, unsentChanges } = session.work;
  const reasons: string[] = [];
  if (draftNotes > 0) reasons.push(`${plural(draftNotes, 'draft note', 'draft notes')} to be signed`);
  if (unsentChanges > 0) reasons.push(`${plural(unsentChanges, 'change', 'changes')} to reach the server`);
  return { safe: reasons.length === 0, waitingFor: reasons.join(' and ') };
}
