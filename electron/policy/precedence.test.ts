import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_ORG_POLICY } from '../../shared/sync/auth.ts';
import { loadHostConfig } from '../host/config.ts';
import { tempDir } from '../test-support/temp-dir.ts';
import { effectiveServerUrl, policyWins } from './effective-settings.ts';
import { stricterIdleLock } from './idle-lock.ts';
import { PolicyFileError, type MachinePolicy } from './machine-policy.ts';
import { defaultPolicyPath, policyPath } from './policy-paths.ts';

const policy = (fields: Partial<MachinePolicy>): MachinePolicy => ({ file: '/etc/clinicsync/policy.json', extraCaCertificates: [], ...fields });

describe('where the policy file is', () => {
  it('is in each OS’s machine-wide folder, unless CLINICSYNC_POLICY_FILE names another', () => {
    expect(defaultPolicyPath('win32', { ProgramData: 'D:\\ProgramData' })).toBe('D:\\ProgramData\\Clinicsync\\policy.json');
    expect(defaultPolicyPath('win32', {})).toBe('C:\\ProgramData\\Clinicsync\\policy.json');
    expect(defaultPolicyPath('darwin', {})).toBe('/Library/Application Support/Clinicsync/policy.json');
    expect(defaultPolicyPath('linux', {})).toBe('/etc/clinicsync/policy.json');
    expect(policyPath({}, 'linux')).toBe('/etc/clinicsync/policy.json');
    expect(policyPath({ CLINICSYNC_POLICY_FILE: '/tmp/test-policy.json' }, 'linux')).toBe('/tmp/test-policy.json');
    expect(policyPath({ CLINICSYNC_POLICY_FILE: '  ' }, 'darwin')).toBe('/Library/Application Support/Clinicsync/policy.json');
  });
});

describe('precedence: policy > user setting > default', () => {
  it('policyWins takes the first value that is set and says where it came from', () => {
    expect(policyWins('pilot', 'stable', 'latest')).toEqual({ value: 'pilot', from: 'policy' });
    expect(policyWins(undefined, 'stable', 'latest')).toEqual({ value: 'stable', from: 'setting' });
    expect(policyWins<string>(undefined, undefined, 'latest')).toEqual({ value: 'latest', from: 'default' });
  });

  it('the server address: a user setting the policy overrides is logged by name (no values)', () => {
    const events: [string, Record<string, string>][] = [];
    const log = (event: string, fields: Record<string, string>) => events.push([event, fields]);
    expect(effectiveServerUrl(policy({ serverUrl: 'https://sync.example' }), 'http://10.0.0.9:4300', 'http://127.0.0.1:4300', log)).toEqual({ value: 'https://sync.example', from: 'policy' });
    expect(events).toEqual([['policy_overrides_setting', { setting: 'serverUrl', policyFile: '/etc/clinicsync/policy.json' }]]);
    expect(effectiveServerUrl(policy({ serverUrl: 'https://sync.example' }), 'https://sync.example', 'd', log).from).toBe('policy');
    expect(effectiveServerUrl(policy({}), 'http://10.0.0.9:4300', 'd', log)).toEqual({ value: 'http://10.0.0.9:4300', from: 'setting' });
    expect(effectiveServerUrl(null, undefined, 'http://127.0.0.1:4300', log)).toEqual({ value: 'http://127.0.0.1:4300', from: 'default' });
    expect(events).toHaveLength(1);
  });

  it('the idle lock is the stricter of the machine policy and the org’s policy, either way round', () => {
    const org = { ...DEFAULT_ORG_POLICY, idleLockMinutes: 15 };
    expect(stricterIdleLock(org, 5)).toEqual({ ...org, idleLockMinutes: 5 });
    expect(stricterIdleLock(org, 30)).toBe(org);
    expect(stricterIdleLock(org, undefined)).toBe(org);
    expect(stricterIdleLock({ ...org, idleLockMinutes: 3 }, 10).idleLockMinutes).toBe(3);
  });
});

describe('browser-mode host configuration with a machine policy', () => {
  const dir = tempDir('clinicsync-host-policy-');
  afterAll(() => dir.remove());
  const env = (extra: Record<string, string>) => ({ CLINICSYNC_KEYSTORE_PASSPHRASE: 'host-test-passphrase', ...extra });

  it('the policy’s server wins over CLINICSYNC_SERVER_URL; without a policy the variable, then the default, applies', () => {
    const file = join(dir.path, 'policy.json');
    writeFileSync(file, JSON.stringify({ serverUrl: 'https://sync.example', idleLockMinutes: 4 }));
    const events: string[] = [];
    const withPolicy = loadHostConfig(env({ CLINICSYNC_POLICY_FILE: file, CLINICSYNC_SERVER_URL: 'http://127.0.0.1:4999' }), (event) => events.push(event));
    expect(withPolicy).toMatchObject({ serverUrl: 'https://sync.example', serverUrlFrom: 'policy', policy: { file, idleLockMinutes: 4 } });
    expect(events).toEqual(['policy_overrides_setting']);

    const none = join(dir.path, 'absent.json');
    expect(loadHostConfig(env({ CLINICSYNC_POLICY_FILE: none, CLINICSYNC_SERVER_URL: 'http://127.0.0.1:4999' }))).toMatchObject({ serverUrl: 'http://127.0.0.1:4999', serverUrlFrom: 'setting', policy: null });
    expect(loadHostConfig(env({ CLINICSYNC_POLICY_FILE: none }))).toMatchObject({ serverUrl: 'http://127.0.0.1:4300', serverUrlFrom: 'default' });
  });

  it('a policy file that cannot be used stops the host with the file and the field named', () => {
    const file = join(dir.path, 'bad-policy.json');
    writeFileSync(file, JSON.stringify({ serverUrl: 'https://sync.example', idleLockMinute: 4 }));
    expect(() => loadHostConfig(env({ CLINICSYNC_POLICY_FILE: file }))).toThrow(PolicyFileError);
    expect(() => loadHostConfig(env({ CLINICSYNC_POLICY_FILE: file }))).toThrow(`${file} cannot be used:\n  - idleLockMinute: is not a known setting; did you mean "idleLockMinutes"?`);
  });
});
