import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../config.ts';
import { open, seal, SealBroken } from './aead.ts';
import { LocalKeyWrapper, UnknownMasterKey } from './local-key-wrapper.ts';
import { loadKeyring, MasterKeyError, newKeyEntry, parseKeyring } from './master-keyring.ts';

const dir = mkdtempSync(join(tmpdir(), 'vault-keyring-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('vault master keyring', () => {
  it('reads one key, or several with the active one named', () => {
    const one = parseKeyring(newKeyEntry('solo'), 'X');
    expect(one.activeKeyId).toBe('solo');
    const two = parseKeyring(`# rotation in progress\nactive=new\n${newKeyEntry('old')}\n${newKeyEntry('new')}`, 'X');
    expect(two.activeKeyId).toBe('new');
    expect([...two.keys.keys()]).toEqual(['old', 'new']);
    expect(parseKeyring(`${newKeyEntry('a')};${newKeyEntry('b')};active=a`, 'X').activeKeyId).toBe('a');
  });

  it('refuses malformed keyrings with a sentence that names the source and never the key bytes', () => {
    const short = `k1=${randomBytes(16).toString('base64')}`;
    const cases: [string, RegExp][] = [
      ['', /holds no master key/],
      [short, /exactly 32 bytes/],
      ['k1=not base64!!', /exactly 32 bytes/],
      [`${newKeyEntry('a')}\n${newKeyEntry('b')}`, /active=KEYID/],
      [`active=c\n${newKeyEntry('a')}`, /active key "c" is not in the keyring/],
      [`${newKeyEntry('a')}\n${newKeyEntry('a')}`, /given twice/],
      ['just-some-text', /KEYID=BASE64/],
    ];
    for (const [text, message] of cases) {
      let caught: unknown;
      try {
        parseKeyring(text, 'CLINICSYNC_VAULT_MASTER_KEY');
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(MasterKeyError);
      expect((caught as Error).message).toMatch(message);
      expect((caught as Error).message).toContain('CLINICSYNC_VAULT_MASTER_KEY');
      if (text.includes('=')) expect((caught as Error).message).not.toContain(text.split('=')[1]!.slice(0, 12));
    }
  });

  it('generates the demo keyring once, owner-only (0600), and refuses a file others can read', () => {
    const path = join(dir, 'demo', 'vault-master.keys');
    const first = loadKeyring({ kind: 'generated', path });
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const again = loadKeyring({ kind: 'generated', path });
    expect(again.keys.get(again.activeKeyId)!.equals(first.keys.get(first.activeKeyId)!)).toBe(true);
    const loose = join(dir, 'loose.keys');
    writeFileSync(loose, newKeyEntry('k1'));
    chmodSync(loose, 0o644);
    expect(() => loadKeyring({ kind: 'file', path: loose })).toThrow(/owner only \(chmod 600\)/);
    expect(() => loadKeyring({ kind: 'file', path: join(dir, 'missing.keys') })).toThrow(/does not exist/);
    expect(readFileSync(path, 'utf8')).toMatch(/^demo-1=/m);
  });

  it('server configuration: a malformed key stops the start; both sources at once are refused; the demo gets a generated keyring', () => {
    expect(() => loadConfig({ CLINICSYNC_VAULT_MASTER_KEY: 'k1=tooshort' })).toThrow(ConfigError);
    expect(() => loadConfig({ CLINICSYNC_VAULT_MASTER_KEY: newKeyEntry('k'), CLINICSYNC_VAULT_MASTER_KEY_FILE: '/x' })).toThrow(/not both/);
    expect(loadConfig({ CLINICSYNC_DATA_DIR: dir }).vault).toEqual({ masterKey: { kind: 'generated', path: join(dir, 'vault-master.keys') } });
    expect(loadConfig({ CLINICSYNC_SEED_DEMO: '0' }).vault).toBeUndefined();
    expect(loadConfig({ CLINICSYNC_SEED_DEMO: '0', CLINICSYNC_VAULT_MASTER_KEY_FILE: '/etc/k' }).vault).toEqual({ masterKey: { kind: 'file', path: '/etc/k' } });
  });
});

describe('envelope layers', () => {
  it('a sealed value opens only with its key and its exact context', () => {
    const key = randomBytes(32);
    const sealed = seal(key, Buffer.from('hunter2'), Buffer.from('org-a|row-1|1'));
    expect(open(key, sealed, Buffer.from('org-a|row-1|1')).toString()).toBe('hunter2');
    expect(() => open(key, sealed, Buffer.from('org-b|row-1|1'))).toThrow(SealBroken);
    expect(() => open(randomBytes(32), sealed, Buffer.from('org-a|row-1|1'))).toThrow(SealBroken);
    const flipped = Buffer.from(sealed);
    flipped[flipped.length - 1]! ^= 1;
    expect(() => open(key, flipped, Buffer.from('org-a|row-1|1'))).toThrow(SealBroken);
    expect(seal(key, Buffer.from('hunter2'), Buffer.from('c')).equals(seal(key, Buffer.from('hunter2'), Buffer.from('c')))).toBe(false); // fresh nonce
  });

  it('the local wrapper unwraps with old and new master keys, and names an unknown one', async () => {
    const k1 = newKeyEntry('k1');
    const old = new LocalKeyWrapper(parseKeyring(k1, 'old'));
    const rotated = new LocalKeyWrapper(parseKeyring(`active=k2\n${k1}\n${newKeyEntry('k2')}`, 'rotated'));
    const dataKey = randomBytes(32);
    const wrappedOld = await old.wrap(dataKey, Buffer.from('ctx'));
    const wrappedNew = await rotated.wrap(dataKey, Buffer.from('ctx'));
    expect([wrappedOld.masterKeyId, wrappedNew.masterKeyId]).toEqual(['k1', 'k2']);
    expect((await rotated.unwrap(wrappedOld, Buffer.from('ctx'))).equals(dataKey)).toBe(true);
    expect((await rotated.unwrap(wrappedNew, Buffer.from('ctx'))).equals(dataKey)).toBe(true);
    await expect(old.unwrap(wrappedNew, Buffer.from('ctx'))).rejects.toBeInstanceOf(UnknownMasterKey);
    await expect(rotated.unwrap(wrappedOld, Buffer.from('other'))).rejects.toBeInstanceOf(SealBroken);
  });
});
