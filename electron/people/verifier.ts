import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

/**
 * The offline-unlock verifier: a memory-hard scrypt hash of the password, kept in the
 * encrypted org store so a person who signed in online here can unlock while the server is
 * away. The password itself is never stored or logged.
 *
 * Format: `scrypt$N=32768,r=8,p=1$<salt b64url>$<hash b64url>`, self-describing so the
 * parameters can be raised later without breaking stored verifiers.
 *
 * Parameters: N=2^15, r=8, p=1 needs 128·N·r = 32 MiB per check, which is what makes a
 * stolen store's verifiers expensive to attack on GPUs. Measured on the development
 * machine (Node 24): about 150 ms per check alone (147–159 ms), 160–175 ms with the test suite
 * running beside it (verifier.test.ts prints it): the top of the 50–150 ms aim, and that is
 * the smallest cost at 32 MiB: scrypt's time grows with N·r, and N·r is fixed by the memory
 * floor. Checks run on libuv's thread pool, so the main process stays responsive.
 */
export const VERIFIER_PARAMS = { N: 32_768, r: 8, p: 1 } as const;

const SALT_BYTES = 16;
const HASH_BYTES = 32;
/** Bounds for parameters read back from a store: a tampered verifier must not make one check take minutes or gigabytes. */
const LIMITS = { minLogN: 14, maxLogN: 20, maxR: 32, maxP: 4, maxMem: 512 * 1024 * 1024 } as const;

interface Parsed {
  N: number;
  r: number;
  p: number;
  salt: Buffer;
  hash: Buffer;
}

function derive(password: string, salt: Buffer, { N, r, p }: { N: number; r: number; p: number }): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    // NFKC, like the server's password hashes: the same typed password gives the same bytes
    // whichever way the keyboard composed its accents.
    scrypt(password.normalize('NFKC'), salt, HASH_BYTES, { N, r, p, maxmem: 128 * N * r * p + 1024 * 1024 }, (error, key) =>
      error ? reject(error) : resolve(key),
    );
  });
}

export async function createVerifier(password: string): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const hash = await derive(password, salt, VERIFIER_PARAMS);
  const { N, r, p } = VERIFIER_PARAMS;
  return `scrypt$N=${N},r=${r},p=${p}$${salt.toString('base64url')}$${hash.toString('base64url')}`;
}

export function parseVerifier(verifier: string): Parsed | null {
  const parts = verifier.split('$');
  if (parts.length !== 4 || parts[0] !== 'scrypt') return null;
  const params = /^N=(\d{1,8}),r=(\d{1,3}),p=(\d{1,2})$/.exec(parts[1] ?? '');
  if (!params) return null;
  const [N, r, p] = [Number(params[1]), Number(params[2]), Number(params[3])];
  const logN = Math.log2(N);
  if (!Number.isInteger(logN) || logN < LIMITS.minLogN || logN > LIMITS.maxLogN) return null;
  if (r < 1 || r > LIMITS.maxR || p < 1 || p > LIMITS.maxP || 128 * N * r * p > LIMITS.maxMem) return null;
  const salt = Buffer.from(parts[2] ?? '', 'base64url');
  const hash = Buffer.from(parts[3] ?? '', 'base64url');
  if (salt.length < SALT_BYTES || hash.length !== HASH_BYTES) return null;
  return { N, r, p, salt, hash };
}

/** Constant-time comparison; a malformed verifier is simply "no" (after the same work). */
export async function verifyPassword(password: string, verifier: string): Promise<boolean> {
  const parsed = parseVerifier(verifier);
  if (!parsed) {
    await burnOneCheck(password);
    return false;
  }
  const key = await derive(password, parsed.salt, parsed);
  return timingSafeEqual(key, parsed.hash);
}

let dummy: Promise<string> | undefined;

/**
 * One check's worth of work against a throwaway verifier: an unknown user must cost the
 * same time as a wrong password, so the answer's timing tells nothing either.
 */
export async function burnOneCheck(password: string): Promise<void> {
  dummy ??= createVerifier('not-a-real-password');
  const parsed = parseVerifier(await dummy);
  if (parsed) await derive(password, parsed.salt, parsed);
}
