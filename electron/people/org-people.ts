import { createHmac, hkdfSync } from 'node:crypto';
import { join } from 'node:path';
import { z } from 'zod';
import { isId } from '../../shared/ids.ts';
import { readJsonFileOr, writeFileAtomically } from '../files/atomic-file.ts';
import { normalizeLogin } from './local-users.ts';

/**
 * Which people have signed in to which org on this workstation, so the org switcher offers
 * a person only the orgs they have used here (known-orgs.ts), without opening any other
 * org's store to look (one store open at a time).
 *
 * `<dataDir>/org-people.json` holds, per org id, keyed tags of logins: HMAC-SHA256 under a
 * secret of this workstation that lives in the keystore (OS keychain in the app). A login
 * is low in entropy, so a plain or salted hash beside it could be reversed by trying
 * names; without the keystore's secret a copy of the data folder tells only how many
 * people used each org. No username, name or password is ever written here.
 */
export interface OrgPeople {
  /** This person has signed in to this org here (online, or offline against its verifier). */
  record(tenantId: string, login: string): Promise<void>;
  /** The org ids this person has signed in to here. */
  orgsOf(login: string): Promise<Set<string>>;
}

const fileSchema = z.object({
  version: z.literal(1),
  orgs: z.record(z.string(), z.array(z.string())),
});
type PeopleFile = z.infer<typeof fileSchema>;

/**
 * `loadSecret` gives this workstation's 32-byte secret from the keystore (the caller's
 * buffer is zeroed here once the tag key is derived from it, by HKDF, for this use only).
 */
export function createOrgPeople(dataDir: string, loadSecret: () => Promise<Buffer>): OrgPeople {
  const path = join(dataDir, 'org-people.json');
  let tagKey: Promise<Buffer> | null = null;

  const deriveTagKey = async (): Promise<Buffer> => {
    const secret = await loadSecret();
    try {
      return Buffer.from(hkdfSync('sha256', secret, Buffer.alloc(0), 'clinicsync org people v1', 32));
    } finally {
      secret.fill(0);
    }
  };

  const tagOf = async (login: string): Promise<string> => {
    // Derived once per run: a keystore read may take ~150 ms (the file keystore's scrypt).
    tagKey ??= deriveTagKey().catch((error: unknown) => {
      tagKey = null; // a keystore unavailable once may answer next time
      throw error;
    });
    return createHmac('sha256', await tagKey).update(normalizeLogin(login)).digest('base64url');
  };

  // Missing, not JSON or not of the schema: nobody recorded yet (the next sign-in of each person records them again).
  const read = (): PeopleFile => readJsonFileOr(path, fileSchema, () => ({ version: 1, orgs: {} }));

  return {
    async record(tenantId, login) {
      if (!isId(tenantId)) return;
      const tag = await tagOf(login);
      const file = read();
      const tags = file.orgs[tenantId] ?? [];
      if (tags.includes(tag)) return;
      file.orgs[tenantId] = [...tags, tag];
      writeFileAtomically(path, `${JSON.stringify(file, null, 2)}\n`);
    },
    async orgsOf(login) {
      const tag = await tagOf(login);
      return new Set(
        Object.entries(read().orgs)
          .filter(([tenantId, tags]) => isId(tenantId) && tags.includes(tag))
          .map(([tenantId]) => tenantId),
      );
    },
  };
}
