import { createHash, randomBytes } from 'node:crypto';
import { LINK_CODE_ALPHABET, LINK_CODE_LENGTH } from '../../../shared/api/patients.ts';

/**
 * A patient-held link code: 16 Crockford base32 characters = 80 random bits, printed in
 * groups of four. Only its SHA-256 is stored; with 80 bits of entropy, a per-org limit on
 * failed attempts, a short lifetime and the birth date required alongside, neither guessing
 * online nor reversing a stolen hash is practical.
 */
export function newLinkCode(): { code: string; hash: string } {
  let bits = BigInt(`0x${randomBytes(10).toString('hex')}`);
  let normalized = '';
  for (let i = 0; i < LINK_CODE_LENGTH; i++) {
    normalized = LINK_CODE_ALPHABET[Number(bits & 31n)]! + normalized;
    bits >>= 5n;
  }
  return { code: normalized.match(/.{4}/g)!.join('-'), hash: hashLinkCode(normalized) };
}

/** Hash of a code already normalized by shared/api/patients.ts normalizeLinkCode. */
export function hashLinkCode(normalized: string): string {
  return createHash('sha256').update(`clinicsync-link-code:${normalized}`).digest('hex');
}
