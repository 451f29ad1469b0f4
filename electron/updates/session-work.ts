import type { LocalBackend } from '../local-api/backend.ts';
import { pendingWorkOf, type SessionWork } from './install-gate.ts';

/**
 * Asks the workstation what a restart would interrupt. Only the open org's store is read
 * (other orgs' stores stay closed and encrypted). Anything unexpected while reading counts
 * as "locked": the gate then waits instead of guessing that nothing is pending.
 */
export function sessionWorkOf(backend: Pick<LocalBackend, 'sessionStatus' | 'store'>): SessionWork {
  try {
    const { state } = backend.sessionStatus();
    if (state === 'signed_out') return { state: 'signed_out' };
    if (state === 'locked') return { state: 'locked' };
    return { state: 'open', work: pendingWorkOf(backend.store().db) };
  } catch {
    return { state: 'locked' };
  }
}
