/**
 * Web Crypto is global on Node 24, Electron and browsers; shared/ declares just the one
 * function it uses so it type-checks without DOM or Node typings.
 */
declare const crypto: { getRandomValues<T extends Uint8Array>(array: T): T };

export function randomBytes(length: number): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(length));
}

export function toHex(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) out += b.toString(16).padStart(2, '0');
  return out;
}
