import type { MachinePolicy } from './machine-policy.ts';

/** Where a setting's value came from, in order of precedence. */
export type SettingSource = 'policy' | 'setting' | 'default';

export interface Effective<T> {
  value: T;
  from: SettingSource;
}

/**
 * The one precedence rule for managed settings: the machine policy, then the user's own
 * setting (environment variable or user configuration), then the built-in default.
 */
export function policyWins<T>(policyValue: T | undefined, userValue: T | undefined, defaultValue: T): Effective<T> {
  if (policyValue !== undefined) return { value: policyValue, from: 'policy' };
  if (userValue !== undefined) return { value: userValue, from: 'setting' };
  return { value: defaultValue, from: 'default' };
}

/** The sync server the workstation talks to; a user setting the policy overrode is logged (names only, never values). */
export function effectiveServerUrl(
  policy: MachinePolicy | null,
  userValue: string | undefined,
  defaultValue: string,
  log: (event: string, fields: Record<string, string>) => void,
): Effective<string> {
  const chosen = policyWins(policy?.serverUrl, userValue, defaultValue);
  if (chosen.from === 'policy' && userValue !== undefined && userValue !== chosen.value) {
    log('policy_overrides_setting', { setting: 'serverUrl', policyFile: policy!.file });
  }
  return chosen;
}
