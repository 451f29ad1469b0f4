import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../test-support/temp-dir.ts';
import { loadMachinePolicy, PolicyFileError } from './machine-policy.ts';
import { createThrowawayCa, type ThrowawayCa } from './testing/throwaway-ca.ts';

const TENANT = '0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b';
const TOKEN = `ce1.${TENANT}.AbCdEfGhIjKlMnOpQrStUvWxYz012345`;

describe('machine policy file (schema and loader)', () => {
  const dir = tempDir('clinicsync-policy-');
  let ca: ThrowawayCa;
  let n = 0;
  beforeAll(() => {
    ca = createThrowawayCa();
  });
  afterAll(() => {
    ca.remove();
    dir.remove();
  });

  /** A policy file with this content (an object is written as JSON), in its own folder. */
  function policyFile(content: unknown, name = 'policy.json'): string {
    const folder = join(dir.path, `p${++n}`);
    mkdirSync(folder);
    const file = join(folder, name);
    writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
    return file;
  }

  /** The problems the loader reports for this content (fails the test if it loads). */
  function problemsOf(content: unknown): { message: string; problems: readonly string[] } {
    const file = policyFile(content);
    try {
      loadMachinePolicy(file);
    } catch (error) {
      expect(error).toBeInstanceOf(PolicyFileError);
      const e = error as PolicyFileError;
      expect(e.code).toBe('VALIDATION');
      expect(e.message).toContain(file);
      return { message: e.message, problems: e.problems };
    }
    throw new Error('expected the policy to be refused');
  }

  it('no file means no policy', () => {
    expect(loadMachinePolicy(join(dir.path, 'nowhere', 'policy.json'))).toBeNull();
  });

  it('reads every field: server, org, token, proxy, CA certificates (PEM file, DER file, PEM text), update channel, idle lock', () => {
    const file = policyFile({
      comment: 'Northside front desks, managed by GPO',
      serverUrl: 'https://sync.northside.example',
      org: 'NorthSide',
      enrollmentToken: TOKEN,
      proxy: { url: 'http://proxy.northside.example:3128', bypass: ['intranet.northside.example', '.lan'] },
      extraCaCertificates: [ca.caFile, join(ca.dir, 'ca.der'), ca.caPem],
      updateChannel: 'pilot',
      idleLockMinutes: 5,
    });
    const policy = loadMachinePolicy(file)!;
    expect(policy).toMatchObject({
      file,
      serverUrl: 'https://sync.northside.example',
      org: 'northside',
      enrollmentToken: TOKEN,
      proxy: { url: 'http://proxy.northside.example:3128', bypass: ['intranet.northside.example', '.lan'] },
      updateChannel: 'pilot',
      idleLockMinutes: 5,
    });
    // Each entry became the same CA certificate, as PEM.
    expect(policy.extraCaCertificates).toHaveLength(3);
    const normalized = (pem: string) => pem.replace(/\s+/g, '');
    for (const pem of policy.extraCaCertificates) expect(normalized(pem)).toBe(normalized(ca.caPem));
  });

  it('reads the update switch and the update feed: autoUpdate off for MSI-managed machines, or an internal mirror', () => {
    const off = loadMachinePolicy(policyFile({ autoUpdate: false }))!;
    expect(off).toMatchObject({ autoUpdate: false });
    expect(off.updateUrl).toBeUndefined();
    const mirror = loadMachinePolicy(policyFile({ autoUpdate: true, updateUrl: 'https://mirror.northside.example/clinicsync/', updateChannel: 'pilot' }))!;
    expect(mirror).toMatchObject({ autoUpdate: true, updateUrl: 'https://mirror.northside.example/clinicsync/', updateChannel: 'pilot' });
    // A misspelt switch is refused by name, not silently ignored (updates would stay on).
    expect(problemsOf({ autoUpdates: false }).problems).toEqual(['autoUpdates: is not a known setting; did you mean "autoUpdate"?']);
    // The refused address is never repeated (it may carry a signature).
    expect(problemsOf({ updateUrl: 'https://mirror.example/?sig=SECRETSIG' }).message).not.toContain('SECRETSIG');
  });

  it('an empty object is a policy that sets nothing; a relative certificate path is read from the policy file’s folder', () => {
    const empty = loadMachinePolicy(policyFile({}))!;
    expect(empty.extraCaCertificates).toEqual([]);
    expect(Object.keys(empty).sort()).toEqual(['extraCaCertificates', 'file']);

    const file = policyFile({ extraCaCertificates: ['clinic-root.pem'] });
    writeFileSync(join(file, '..', 'clinic-root.pem'), readFileSync(ca.caFile));
    expect(loadMachinePolicy(file)!.extraCaCertificates).toHaveLength(1);
  });

  it('a file saved with a UTF-8 BOM or as UTF-16 (Windows PowerShell) is read', () => {
    const json = JSON.stringify({ serverUrl: 'https://sync.example', idleLockMinutes: 7 });
    const bom = policyFile('\ufeff' + json);
    expect(loadMachinePolicy(bom)).toMatchObject({ idleLockMinutes: 7 });
    const utf16 = policyFile('');
    writeFileSync(utf16, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(json, 'utf16le')]));
    expect(loadMachinePolicy(utf16)).toMatchObject({ serverUrl: 'https://sync.example' });
  });

  it.each([
    ['serverUrl', { serverUrl: 'ftp://sync.example' }, 'serverUrl: must be an http:// or https:// address'],
    ['serverUrl', { serverUrl: 'sync.example' }, 'serverUrl: must be an http:// or https:// address'],
    ['serverUrl', { serverUrl: 'https://admin:s3cret@sync.example' }, 'serverUrl: must not contain a user name or password'],
    ['serverUrl', { serverUrl: 42 }, 'serverUrl: must be a text in quotes'],
    ['org', { org: 'North Side!' }, 'org: must be an organization code'],
    ['enrollmentToken', { serverUrl: 'https://s.example', enrollmentToken: 'ce1.not-quite' }, 'enrollmentToken: is not an enrollment token'],
    ['enrollmentToken without serverUrl', { enrollmentToken: TOKEN }, 'serverUrl: is required with enrollmentToken'],
    ['proxy', { proxy: 'http://proxy:3128' }, 'proxy: must be an object { … }'],
    ['proxy.url', { proxy: { bypass: [] } }, 'proxy.url: is required'],
    ['proxy.url', { proxy: { url: 'socks5://proxy:1080' } }, 'proxy.url: must be an http:// or https:// address of the proxy'],
    ['proxy.url', { proxy: { url: 'http://user:pw@proxy:3128' } }, 'proxy.url: must not contain a user name or password'],
    ['proxy.bypass', { proxy: { url: 'http://proxy:3128', bypass: ['a.example, b.example'] } }, 'proxy.bypass[0]: must be one host'],
    ['extraCaCertificates', { extraCaCertificates: 'ca.pem' }, 'extraCaCertificates: must be a list [ … ]'],
    ['extraCaCertificates', { extraCaCertificates: [''] }, 'extraCaCertificates[0]: must name a certificate file or hold PEM text'],
    ['updateChannel', { updateChannel: 'Stable Channel' }, 'updateChannel: must be a channel name'],
    ['idleLockMinutes', { idleLockMinutes: 0 }, 'idleLockMinutes: must be at least 1'],
    ['idleLockMinutes', { idleLockMinutes: 241 }, 'idleLockMinutes: must be at most 240'],
    ['idleLockMinutes', { idleLockMinutes: 7.5 }, 'idleLockMinutes: must be a whole number'],
    ['idleLockMinutes', { idleLockMinutes: '10' }, 'idleLockMinutes: must be a number'],
    ['autoUpdate', { autoUpdate: 'false' }, 'autoUpdate: must be true or false (without quotes)'],
    ['autoUpdate', { autoUpdate: 0 }, 'autoUpdate: must be true or false'],
    ['updateUrl', { updateUrl: 'http://mirror.northside.example/clinicsync/' }, 'updateUrl: must be an https:// address of the update feed'],
    ['updateUrl', { updateUrl: 'mirror.northside.example' }, 'updateUrl: must be an https:// address'],
    ['updateUrl', { updateUrl: 'https://svc:pw@mirror.northside.example/' }, 'updateUrl: must not contain a user name or password'],
    ['updateUrl', { updateUrl: 'https://mirror.northside.example/feed/?sig=abc' }, 'updateUrl: must be a plain folder address, without ?… or #…'],
    ['updateUrl with autoUpdate off', { autoUpdate: false, updateUrl: 'https://mirror.northside.example/' }, 'updateUrl: has no effect with "autoUpdate": false'],
    ['updateChannel with autoUpdate off', { autoUpdate: false, updateChannel: 'pilot' }, 'updateChannel: has no effect with "autoUpdate": false'],
  ])('a bad %s is refused, naming the field', (_field, content, expected) => {
    const { problems } = problemsOf(content);
    expect(problems.some((p) => p.startsWith(expected))).toBe(true);
  });

  it('reports every problem at once', () => {
    const { problems } = problemsOf({ serverUrl: 'nope', idleLockMinutes: 999, updateChannel: '!' });
    expect(problems.map((p) => p.split(':')[0]).sort()).toEqual(['idleLockMinutes', 'serverUrl', 'updateChannel']);
  });

  it('never repeats a secret value: a malformed token, a proxy password', () => {
    const nearlyToken = `ce1.${TENANT}.short-secret`;
    const { message } = problemsOf({ serverUrl: 'https://s.example', enrollmentToken: nearlyToken, proxy: { url: 'http://it:hunter2-proxy@proxy:3128' } });
    expect(message).toContain('enrollmentToken');
    expect(message).toContain('proxy.url');
    for (const secret of [nearlyToken, 'short-secret', 'hunter2-proxy']) expect(message).not.toContain(secret);
    // Neither does a JSON syntax error, whose parser message would quote the text around it.
    const broken = problemsOf(`{\n  "enrollmentToken": "${TOKEN}"\n  "serverUrl": "https://s.example"\n}`);
    expect(broken.problems).toEqual(['is not valid JSON (at line 3, column 3)']);
    expect(broken.message).not.toContain(TOKEN.split('.')[2]);
  });

  it('refuses unknown settings by name, suggesting the setting that was probably meant', () => {
    const { problems } = problemsOf({ serverURL: 'https://s.example', idle_lock_minutes: 5, lockScreen: true, proxy: { url: 'http://p:1', exclude: [] } });
    expect(problems).toContain('serverURL: is not a known setting; did you mean "serverUrl"?');
    expect(problems).toContain('idle_lock_minutes: is not a known setting; did you mean "idleLockMinutes"?');
    expect(problems.find((p) => p.startsWith('lockScreen: is not a known setting (known: comment, serverUrl, org,'))).toBeDefined();
    expect(problems).toContain('proxy.exclude: is not a known setting (known: url, bypass)');
  });

  it('a file that is not a JSON object, is empty, or is a folder stops start-up with its reason', () => {
    expect(problemsOf('[]').problems).toEqual(['must hold one JSON object ({ … })']);
    expect(problemsOf('').problems).toEqual(['is empty (expected one JSON object)']);
    expect(problemsOf('{ "serverUrl": ').problems[0]).toMatch(/^is not valid JSON/);
    const folder = join(dir.path, 'a-folder.json');
    mkdirSync(folder);
    expect(() => loadMachinePolicy(folder)).toThrow(/a-folder\.json cannot be used:\n {2}- is a folder, not a file/);
  });

  it.skipIf(process.platform === 'win32')('a policy file any user can change is refused (it could redirect every workstation)', () => {
    const file = policyFile({ serverUrl: 'https://s.example' });
    chmodSync(file, 0o666);
    expect(() => loadMachinePolicy(file)).toThrow(/can be changed by every user of this machine/);
    chmodSync(file, 0o644);
    expect(loadMachinePolicy(file)).toMatchObject({ serverUrl: 'https://s.example' });
  });

  it('certificate entries: a missing file, a file without a certificate, a damaged certificate, a private key', () => {
    const folder = join(dir.path, 'certs');
    mkdirSync(folder);
    writeFileSync(join(folder, 'notes.txt'), 'not a certificate');
    writeFileSync(join(folder, 'key.pem'), readFileSync(join(ca.dir, 'ca.key')));
    const damaged = ca.caPem.replace(/\n[A-Za-z0-9+/]{20}/, '\nAAAAAAAAAAAAAAAAAAAA');
    writeFileSync(join(folder, 'damaged.pem'), damaged);
    const { problems } = problemsOf({
      extraCaCertificates: [join(folder, 'missing.pem'), join(folder, 'notes.txt'), join(folder, 'damaged.pem'), join(folder, 'key.pem'), ca.caFile],
    });
    expect(problems).toEqual([
      `extraCaCertificates[0]: the file ${join(folder, 'missing.pem')} cannot be read (ENOENT)`,
      `extraCaCertificates[1]: the file ${join(folder, 'notes.txt')} holds no certificate (expected PEM or DER)`,
      `extraCaCertificates[2]: the file ${join(folder, 'damaged.pem')} holds a certificate that cannot be parsed (certificate 1)`,
      `extraCaCertificates[3]: the file ${join(folder, 'key.pem')} holds a private key; only CA certificates belong in the policy`,
    ]);
    // The key's contents never appear in the message.
    expect(problemsOf({ extraCaCertificates: [join(folder, 'key.pem')] }).message).not.toContain('PRIVATE KEY');
  });
});
