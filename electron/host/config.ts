import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { effectiveServerUrl, type SettingSource } from '../policy/effective-settings.ts';
import { loadMachinePolicy, type MachinePolicy } from '../policy/machine-policy.ts';
import { policyPath } from '../policy/policy-paths.ts';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const DEFAULT_SERVER_URL = 'http://127.0.0.1:4300';

const schema = z.object({
  // No default here: the machine policy's server, if any, wins over this one (policyWins).
  CLINICSYNC_SERVER_URL: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
  CLINICSYNC_DATA_DIR: z.string().min(1).default('.data/workstation'),
  CLINICSYNC_KEYSTORE_PASSPHRASE: z.string({ error: 'is required (the file keystore stands in for the OS keystore)' }).min(8, 'must be at least 8 characters'),
  CLINICSYNC_HOST_PORT: z.coerce.number().int().min(0).max(65_535).default(5180),
  CLINICSYNC_RENDERER_DIR: z.string().min(1).default('dist/renderer'),
});

export interface HostConfig {
  serverUrl: string;
  /** Whether the server address came from the machine policy, CLINICSYNC_SERVER_URL or the default. */
  serverUrlFrom: SettingSource;
  dataDir: string;
  passphrase: string;
  port: number;
  rendererDir: string;
  /** The machine policy (CLINICSYNC_POLICY_FILE or the OS location); null when there is none. */
  policy: MachinePolicy | null;
}

/**
 * Validated once at start-up; a problem names the variable, never its value. The machine
 * policy is read here too: a policy file that cannot be used stops the host with its
 * PolicyFileError (file and fields named).
 */
export function loadHostConfig(env: NodeJS.ProcessEnv, log: (event: string, fields: Record<string, string>) => void = () => undefined): HostConfig {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  ${issue.path.join('.')} ${issue.message}`);
    throw new Error(`Browser-mode host configuration:\n${lines.join('\n')}`);
  }
  const c = parsed.data;
  const policy = loadMachinePolicy(policyPath(env));
  const server = effectiveServerUrl(policy, c.CLINICSYNC_SERVER_URL, DEFAULT_SERVER_URL, log);
  return {
    serverUrl: server.value,
    serverUrlFrom: server.from,
    dataDir: resolve(REPO_ROOT, c.CLINICSYNC_DATA_DIR),
    passphrase: c.CLINICSYNC_KEYSTORE_PASSPHRASE,
    port: c.CLINICSYNC_HOST_PORT,
    rendererDir: resolve(REPO_ROOT, c.CLINICSYNC_RENDERER_DIR),
    policy,
  };
}
