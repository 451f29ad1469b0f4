import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

const schema = z.object({
  CLINICSYNC_SERVER_URL: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).default('http://127.0.0.1:4300'),
  CLINICSYNC_DATA_DIR: z.string().min(1).default('.data/workstation'),
  CLINICSYNC_KEYSTORE_PASSPHRASE: z.string({ error: 'is required (the file keystore stands in for the OS keystore)' }).min(8, 'must be at least 8 characters'),
  CLINICSYNC_HOST_PORT: z.coerce.number().int().min(0).max(65_535).default(5180),
  CLINICSYNC_RENDERER_DIR: z.string().min(1).default('dist/renderer'),
});

export interface HostConfig {
  serverUrl: string;
  dataDir: string;
  passphrase: string;
  port: number;
  rendererDir: string;
}

/** Validated once at start-up; a problem names the variable, never its value. */
export function loadHostConfig(env: NodeJS.ProcessEnv): HostConfig {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  ${issue.path.join('.')} ${issue.message}`);
    throw new Error(`Browser-mode host configuration:\n${lines.join('\n')}`);
  }
  const c = parsed.data;
  return {
    serverUrl: c.CLINICSYNC_SERVER_URL,
    dataDir: resolve(REPO_ROOT, c.CLINICSYNC_DATA_DIR),
    passphrase: c.CLINICSYNC_KEYSTORE_PASSPHRASE,
    port: c.CLINICSYNC_HOST_PORT,
    rendererDir: resolve(REPO_ROOT, c.CLINICSYNC_RENDERER_DIR),
  };
}
