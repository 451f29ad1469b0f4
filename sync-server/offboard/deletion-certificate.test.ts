import { createHash, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { canonicalJson, signCertificate, verifyCertificate, type DeletionCertificate } from './deletion-certificate.ts';
import { loadSigningKey, SIGNING_KEY_FILE_VAR, SigningKeyError } from './signing-key.ts';

const folder = mkdtempSync(join(tmpdir(), 'clinicsync-cert-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

const content = {
  format: 'clinicsync.deletion-certificate.v1' as const,
  tenant: { id: '0190a000-0000-7000-8000-000000000001', code: 'north' },
  deployment: 'pglite:/srv/clinicsync',
  operator: 'ops',
  steps: [{ step: 'freeze', startedAt: '2030-01-01T00:00:00.000Z', finishedAt: '2030-01-01T00:00:01.000Z' }],
  export: { manifestSha256: 'a'.repeat(64), resources: 12, operationalFiles: 9 },
  vault: { destroyedKeys: 1 },
  dedicatedDatabasesDropped: null,
  tables: [
    { table: 'shared:clinical.encounters', before: 4, after: 0 },
    { table: 'shared:tenant_info.devices', before: 2, after: 2, kept: 'workstation ids' },
  ],
  issuedAt: '2030-01-01T00:00:09.000Z',
};

describe('deletion certificate', () => {
  const key = loadSigningKey({}, folder);

  it('generates the PGlite deployment key once, readable by its owner only, and loads the same key again', () => {
    expect(statSync(join(folder, 'certificate-signing.key')).mode & 0o777).toBe(0o600);
    expect(loadSigningKey({}, folder).keyId).toBe(key.keyId);
  });

  it('verifies as issued, with the key it names and with the trusted public key', () => {
    const certificate = signCertificate(content, key);
    expect(certificate.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(verifyCertificate(certificate)).toEqual({ ok: true, problems: [] });
    expect(verifyCertificate(JSON.parse(JSON.stringify(certificate)) as DeletionCertificate, key.publicKeyPem).ok).toBe(true);
  });

  it('fails when any count, time or id is changed, even with the hash recomputed', () => {
    const certificate = signCertificate(content, key);
    const tampered = structuredClone(certificate);
    tampered.tables[0]!.after = 3;
    expect(verifyCertificate(tampered).problems).toContain('its content does not match its SHA-256: it was changed after it was issued');

    // An attacker who also recomputes the hash still cannot make the signature match.
    const { sha256: _s, signature: _g, ...rest } = tampered;
    tampered.sha256 = createHash('sha256').update(canonicalJson(rest)).digest('hex');
    const result = verifyCertificate(tampered);
    expect(result.ok).toBe(false);
    expect(result.problems).toEqual(['its signature does not verify']);
  });

  it('fails when re-signed with another key than the trusted one', () => {
    const otherFile = join(folder, 'other.key');
    writeFileSync(otherFile, generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }));
    const forged = signCertificate(content, loadSigningKey({ [SIGNING_KEY_FILE_VAR]: otherFile }, null));
    expect(verifyCertificate(forged).ok).toBe(true); // self-consistent…
    expect(verifyCertificate(forged, key.publicKeyPem).problems).toContain('it names a signing key other than the trusted one');
  });

  it('refuses a missing or non-Ed25519 key clearly', () => {
    expect(() => loadSigningKey({}, null)).toThrow(SigningKeyError);
    const rsa = join(folder, 'rsa.key');
    writeFileSync(rsa, generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }));
    expect(() => loadSigningKey({ [SIGNING_KEY_FILE_VAR]: rsa }, null)).toThrow(/must be an Ed25519 key/);
  });

  it('encodes canonically: key order does not matter, values do', () => {
    expect(canonicalJson({ b: 1, a: [{ d: 2, c: null }] })).toBe('{"a":[{"c":null,"d":2}],"b":1}');
  });
});
