import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { uuidv7 } from '../../shared/ids.ts';
import { tempDir } from '../test-support/temp-dir.ts';
import { createOrgPeople } from './org-people.ts';

let dir: ReturnType<typeof tempDir>;
beforeEach(() => (dir = tempDir()));
afterEach(() => dir.remove());

/** A keystore stand-in that hands out a copy of one fixed secret each time (the real one returns a fresh buffer too). */
const secretOf = (secret: Buffer) => async () => Buffer.from(secret);

describe('org people (who has signed in to which org on this workstation)', () => {
  it("gives each person their own orgs only, whatever case they type their username in", async () => {
    const people = createOrgPeople(dir.path, secretOf(randomBytes(32)));
    const [north, lake] = [uuidv7(), uuidv7()];
    await people.record(north, 'FrontDesk');
    await people.record(lake, ' frontdesk ');
    await people.record(north, 'clinician');
    await people.record(north, 'clinician'); // once is enough
    expect(await people.orgsOf('frontdesk')).toEqual(new Set([north, lake]));
    expect(await people.orgsOf('Clinician')).toEqual(new Set([north]));
    expect(await people.orgsOf('admin')).toEqual(new Set());
  });

  it('writes no username in the clear, only tags that another workstation’s secret does not reproduce', async () => {
    const secret = randomBytes(32);
    const people = createOrgPeople(dir.path, secretOf(secret));
    const north = uuidv7();
    for (const login of ['frontdesk', 'dr.jane.doe@example.org']) await people.record(north, login);
    const text = readFileSync(join(dir.path, 'org-people.json'), 'utf8');
    for (const clear of ['frontdesk', 'FrontDesk', 'dr.jane.doe', 'example.org', Buffer.from('frontdesk').toString('base64'), Buffer.from('frontdesk').toString('hex')]) {
      expect(text).not.toContain(clear);
    }
    const file = JSON.parse(text) as { version: number; orgs: Record<string, string[]> };
    expect(Object.keys(file.orgs)).toEqual([north]);
    expect(file.orgs[north]).toHaveLength(2);
    expect(text).not.toContain(secret.toString('hex'));
    expect(text).not.toContain(secret.toString('base64url'));

    // The same file read with another secret (a copied data folder without this keystore) names nobody.
    expect(await createOrgPeople(dir.path, secretOf(randomBytes(32))).orgsOf('frontdesk')).toEqual(new Set());
    // ...and with this workstation's secret, after a restart, the same people again.
    expect(await createOrgPeople(dir.path, secretOf(secret)).orgsOf('frontdesk')).toEqual(new Set([north]));
  });

  it('reads the secret once per run, zeroes what the keystore handed over, and retries a keystore that failed', async () => {
    const handed: Buffer[] = [];
    let failNext = true;
    const people = createOrgPeople(dir.path, async () => {
      if (failNext) {
        failNext = false;
        throw new Error('keystore unavailable');
      }
      const secret = randomBytes(32);
      handed.push(secret);
      return secret;
    });
    await expect(people.orgsOf('frontdesk')).rejects.toThrow('keystore unavailable');
    await people.record(uuidv7(), 'frontdesk');
    await people.orgsOf('frontdesk');
    expect(handed).toHaveLength(1);
    expect(handed[0]!.every((byte) => byte === 0)).toBe(true);
  });

  it('treats a damaged file as nobody recorded, and the next sign-in writes it afresh', async () => {
    const people = createOrgPeople(dir.path, secretOf(randomBytes(32)));
    writeFileSync(join(dir.path, 'org-people.json'), '{ not json');
    expect(await people.orgsOf('frontdesk')).toEqual(new Set());
    const north = uuidv7();
    await people.record(north, 'frontdesk');
    expect(await people.orgsOf('frontdesk')).toEqual(new Set([north]));
  });
});
