import { join } from 'node:path';
import { z } from 'zod';
import { isId } from '../../shared/ids.ts';
import { readJsonFileOr, writeFileAtomically } from '../files/atomic-file.ts';

export interface OrgDirectoryEntry {
  tenantId: string;
  name: string;
}

export interface OrgDirectory {
  /** The org a code named at its last online sign-in here, or null. */
  lookup(orgCode: string): OrgDirectoryEntry | null;
  remember(orgCode: string, entry: OrgDirectoryEntry): void;
  /** Every org this workstation has signed in to online, once each (by its first remembered code). */
  list(): (OrgDirectoryEntry & { code: string })[];
  /** Drops every code that points at this org (its copy was wiped from the device). */
  forget(tenantId: string): void;
}

const fileSchema = z.object({
  version: z.literal(1),
  orgs: z.record(z.string(), z.object({ tenantId: z.string(), name: z.string() })),
});
type DirectoryFile = z.infer<typeof fileSchema>;

/**
 * `<dataDir>/orgs.json`: org code → org id and name, written at each online sign-in so the
 * workstation can find an org's store while the server is away. Not secret and no PHI
 * (org codes are typed at the sign-in screen); the people who may unlock live inside each
 * encrypted store, never here. A missing or damaged file is an empty directory: offline
 * sign-in then says the org is unknown here, and the next online sign-in rewrites it.
 */
export function createOrgDirectory(dataDir: string): OrgDirectory {
  const path = join(dataDir, 'orgs.json');
  const normalize = (code: string) => code.trim().toLowerCase();

  // Missing, not JSON or not of the schema: start empty.
  const read = (): DirectoryFile => readJsonFileOr(path, fileSchema, () => ({ version: 1, orgs: {} }));

  const write = (file: DirectoryFile) => writeFileAtomically(path, `${JSON.stringify(file, null, 2)}\n`);

  return {
    lookup(orgCode) {
      const entry = read().orgs[normalize(orgCode)];
      return entry && isId(entry.tenantId) ? { tenantId: entry.tenantId, name: entry.name } : null;
    },
    list() {
      const seen = new Set<string>();
      const out: (OrgDirectoryEntry & { code: string })[] = [];
      // Insertion order: the server's own code is remembered before any alias typed for it.
      for (const [code, entry] of Object.entries(read().orgs)) {
        if (!isId(entry.tenantId) || seen.has(entry.tenantId)) continue;
        seen.add(entry.tenantId);
        out.push({ code, tenantId: entry.tenantId, name: entry.name });
      }
      return out;
    },
    remember(orgCode, entry) {
      const file = read();
      const code = normalize(orgCode);
      const current = file.orgs[code];
      if (current?.tenantId === entry.tenantId && current.name === entry.name) return;
      file.orgs[code] = { tenantId: entry.tenantId, name: entry.name };
      write(file);
    },
    forget(tenantId) {
      const file = read();
      const kept = Object.fromEntries(Object.entries(file.orgs).filter(([, entry]) => entry.tenantId !== tenantId));
      if (Object.keys(kept).length === Object.keys(file.orgs).length) return;
      write({ version: 1, orgs: kept });
    },
  };
}
