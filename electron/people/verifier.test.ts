import { describe, expect, it } from 'vitest';
import { burnOneCheck, createVerifier, parseVerifier, VERIFIER_PARAMS, verifyPassword } from './verifier.ts';

const PASSWORD = 'correct horse battery staple';

describe('offline-unlock verifier', () => {
  it('is self-describing, salted, and never contains the password', async () => {
    const one = await createVerifier(PASSWORD);
    const two = await createVerifier(PASSWORD);
    expect(one).toMatch(/^scrypt\$N=32768,r=8,p=1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    expect(one).not.toBe(two); // a fresh salt each time
    expect(one).not.toContain(PASSWORD);
    expect(Buffer.from(one).includes(Buffer.from('battery'))).toBe(false);
    const parsed = parseVerifier(one);
    expect(parsed).toMatchObject({ N: 32_768, r: 8, p: 1 });
    expect(128 * parsed!.N * parsed!.r).toBeGreaterThanOrEqual(32 * 1024 * 1024); // memory-hard: ≥ 32 MiB per check
  });

  it('accepts the right password and refuses a wrong one, a near miss and the empty string', async () => {
    const verifier = await createVerifier(PASSWORD);
    expect(await verifyPassword(PASSWORD, verifier)).toBe(true);
    expect(await verifyPassword('correct horse battery stapl', verifier)).toBe(false);
    expect(await verifyPassword('Correct horse battery staple', verifier)).toBe(false);
    expect(await verifyPassword('', verifier)).toBe(false);
  });

  it('treats composed and decomposed accents as the same password (NFKC, like the server)', async () => {
    const verifier = await createVerifier('caf\u00e9-password');
    expect(await verifyPassword('cafe\u0301-password', verifier)).toBe(true);
  });

  it('says no (without throwing) to malformed or tampered verifiers, including absurd parameters', async () => {
    const good = await createVerifier(PASSWORD);
    const [, , salt, hash] = good.split('$');
    const tampered = [
      '',
      'plain-text-password',
      `scrypt$N=32768,r=8,p=1$${salt}`,
      `bcrypt$N=32768,r=8,p=1$${salt}$${hash}`,
      `scrypt$N=1024,r=8,p=1$${salt}$${hash}`, // too cheap: a downgraded verifier
      `scrypt$N=33000,r=8,p=1$${salt}$${hash}`, // not a power of two
      `scrypt$N=1048576,r=32,p=4$${salt}$${hash}`, // gigabytes: would stall the desk
      `scrypt$N=32768,r=8,p=1$$${hash}`,
      `scrypt$N=32768,r=8,p=1$${salt}$${hash!.slice(0, 20)}`,
    ];
    for (const verifier of tampered) {
      expect(parseVerifier(verifier), verifier).toBeNull();
      expect(await verifyPassword(PASSWORD, verifier)).toBe(false);
    }
    // One changed hash character is a different hash, not a match.
    const flipped = good.slice(0, -2) + (good.at(-2) === 'A' ? 'B' : 'A') + good.at(-1);
    expect(await verifyPassword(PASSWORD, flipped)).toBe(false);
  });

  it('costs one memory-hard check (measured), and an unknown user costs the same', async () => {
    const verifier = await createVerifier(PASSWORD);
    await burnOneCheck(PASSWORD); // warm the dummy verifier
    const time = async (run: () => Promise<unknown>) => {
      const samples: number[] = [];
      for (let i = 0; i < 3; i++) {
        const started = performance.now();
        await run();
        samples.push(performance.now() - started);
      }
      return samples.sort((a, b) => a - b)[1]!;
    };
    const check = await time(() => verifyPassword('wrong password', verifier));
    const unknown = await time(() => burnOneCheck('wrong password'));
    console.info(`scrypt N=${VERIFIER_PARAMS.N} r=${VERIFIER_PARAMS.r} p=${VERIFIER_PARAMS.p}: one check ${check.toFixed(0)} ms, dummy ${unknown.toFixed(0)} ms`);
    expect(check).toBeGreaterThan(30); // not a fast hash
    expect(check).toBeLessThan(2_000);
    expect(unknown).toBeGreaterThan(check / 3);
    expect(unknown).toBeLessThan(check * 3);
  });
});
