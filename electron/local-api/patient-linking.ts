import { AppError } from '../../shared/errors.ts';
import type { SessionMode } from '../people/active-session.ts';
import type { PatientLinkEvidence, SyncTransport } from '../sync/transport.ts';

export const LINK_NEEDS_SERVER = 'Linking needs the server; try again when online.';

/** What linking needs from the signed-in session (ActiveSession has it). */
export interface LinkingSession {
  mode: SessionMode;
  sync: { transport: Pick<SyncTransport, 'linkPatient'> } | null;
}

/**
 * Links an existing patient identity into the signed-in org: the strong match happens on
 * the server (the desk holds no other org's patients), with this person's own session, and
 * then one sync round pulls the linked patient into the local store. Offline, or with a
 * session the server does not know yet, it refuses at once with a sentence; nothing was
 * sent, so nothing is lost and the desk can try again. A failed pull after a good link is
 * not an error: the patient arrives with the next round.
 */
export async function linkExistingPatient(
  session: LinkingSession,
  evidence: PatientLinkEvidence,
  syncNow: () => Promise<void>,
): Promise<{ patientId: string }> {
  const link = session.mode === 'online' ? session.sync?.transport.linkPatient : undefined;
  if (!link) throw new AppError('OFFLINE', LINK_NEEDS_SERVER);
  let linked: { id: string };
  try {
    linked = await link(evidence);
  } catch (error) {
    if (error instanceof AppError && error.code === 'OFFLINE') throw new AppError('OFFLINE', LINK_NEEDS_SERVER);
    throw error;
  }
  await syncNow().catch(() => undefined);
  return { patientId: linked.id };
}
