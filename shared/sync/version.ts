import { AppError } from '../errors.ts';

/**
 * Version of the sync protocol. A client and server whose versions differ by at most one
 * keep working (each side keeps the code for its neighbour); anything further apart gets
 * PROTOCOL_UNSUPPORTED with a message telling the user to update, and keeps its data.
 */
export const PROTOCOL_VERSION = 1;

export function isCompatibleProtocol(peer: number, own: number = PROTOCOL_VERSION): boolean {
  return Number.isInteger(peer) && Math.abs(peer - own) <= 1;
}

export function assertCompatibleProtocol(peer: number, own: number = PROTOCOL_VERSION): void {
  if (!isCompatibleProtocol(peer, own)) {
    const who = peer < own ? 'This workstation' : 'The sync server';
    throw new AppError(
      'PROTOCOL_UNSUPPORTED',
      `${who} uses an older sync protocol (${Math.min(peer, own)}) than the other side accepts (${Math.max(peer, own)}). Update it; local data is kept.`,
    );
  }
}
