import { AppError } from '../errors.ts';

/**
 * Version of the sync protocol. A client and server whose versions differ by at most one
 * keep working (each side keeps the code for its neighbour); anything further apart gets
 * PROTOCOL_UNSUPPORTED with a message telling the user to update, and keeps its data.
 */
export const PROTOCOL_VERSION = 1;

/** Which side sent the version being checked: the message must blame the right one. */
export type ProtocolPeer = 'workstation' | 'server';

export function isCompatibleProtocol(peer: number, own: number = PROTOCOL_VERSION): boolean {
  return Number.isInteger(peer) && Math.abs(peer - own) <= 1;
}

/**
 * Throws PROTOCOL_UNSUPPORTED ("update required") unless `peer` is within one of `own`.
 * The server checks a workstation's version (peerIs 'workstation', the default); the
 * workstation checks the server's answers (peerIs 'server').
 */
export function assertCompatibleProtocol(peer: number, own: number = PROTOCOL_VERSION, peerIs: ProtocolPeer = 'workstation'): void {
  if (isCompatibleProtocol(peer, own)) return;
  const workstation = peerIs === 'workstation' ? peer : own;
  const server = peerIs === 'workstation' ? own : peer;
  const older = workstation < server ? 'This workstation' : 'The sync server';
  throw new AppError(
    'PROTOCOL_UNSUPPORTED',
    `Update required: ${older} uses an older sync protocol (workstation ${workstation}, server ${server}; they may differ by one at most). Local data is kept and syncs after the update.`,
  );
}
