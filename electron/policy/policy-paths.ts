import path from 'node:path';

/** The variable that points the workstation at another policy file (tests, and the browser-mode host on a developer machine). */
export const POLICY_FILE_VARIABLE = 'CLINICSYNC_POLICY_FILE';

/**
 * Where IT puts the machine-wide policy on each operating system: a folder only
 * administrators can write, read by every user's workstation process.
 */
export function defaultPolicyPath(platform: NodeJS.Platform, env: NodeJS.ProcessEnv): string {
  if (platform === 'win32') return path.win32.join(env['ProgramData'] || 'C:\\ProgramData', 'Clinicsync', 'policy.json');
  if (platform === 'darwin') return '/Library/Application Support/Clinicsync/policy.json';
  return '/etc/clinicsync/policy.json';
}

/** The policy file this process reads: CLINICSYNC_POLICY_FILE when set, otherwise the OS location. */
export function policyPath(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  const override = env[POLICY_FILE_VARIABLE]?.trim();
  return override ? path.resolve(override) : defaultPolicyPath(platform, env);
}
