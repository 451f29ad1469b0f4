import { createHash, createPublicKey, sign, verify } from 'node:crypto';
import type { SigningKey } from './signing-key.ts';

/** One table's rows of the org before the deletion and after it (kept: why rows remain). */
export interface CertifiedTable {
  /** `<shared|dedicated>:<domain>.<table>[#part]` */
  table: string;
  before: number;
  /** null: the table's database was dropped with the org's dedicated databases. */
  after: number | null;
  kept?: string;
}

/** What the certificate attests; signed as a whole. Ids, counts, hashes and times: no PHI. */
export interface CertificateContent {
  format: 'clinicsync.deletion-certificate.v1';
  tenant: { id: string; code: string };
  /** Which deployment (sync-server/operator/deployment-key.ts), secret-free. */
  deployment: string;
  operator: string;
  steps: { step: string; startedAt: string; finishedAt: string }[];
  export: { manifestSha256: string; resources: number; operationalFiles: number };
  vault: { destroyedKeys: number };
  dedicatedDatabasesDropped: string | null;
  tables: CertifiedTable[];
  issuedAt: string;
  signingKey: { algorithm: 'Ed25519'; keyId: string; publicKeyPem: string };
}

export interface DeletionCertificate extends CertificateContent {
  /** SHA-256 (hex) of the canonical content: every field but `sha256` and `signature`. */
  sha256: string;
  /** Ed25519 signature (base64) of the same canonical bytes. */
  signature: string;
}

/** JSON with object keys sorted at every depth, no spaces: one byte string per content. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record).filter((key) => record[key] !== undefined).sort();
    return `{${keys.map((key) => `${JSON.stringify(key)}:${canonicalJson(record[key])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

function contentOf(certificate: DeletionCertificate): CertificateContent {
  const { sha256: _hash, signature: _signature, ...content } = certificate;
  return content;
}

export function signCertificate(content: Omit<CertificateContent, 'signingKey'>, key: SigningKey): DeletionCertificate {
  const full: CertificateContent = { ...content, signingKey: { algorithm: 'Ed25519', keyId: key.keyId, publicKeyPem: key.publicKeyPem } };
  const bytes = Buffer.from(canonicalJson(full), 'utf8');
  return { ...full, sha256: createHash('sha256').update(bytes).digest('hex'), signature: sign(null, bytes, key.privateKey).toString('base64') };
}

/**
 * Checks a certificate: the hash over its canonical content, and the signature with the
 * trusted public key (PEM) when given, otherwise with the key it names (which proves it
 * unchanged since signing, not who signed it). Every problem is one sentence.
 */
export function verifyCertificate(certificate: DeletionCertificate, trustedPublicKeyPem?: string): { ok: boolean; problems: string[] } {
  const problems: string[] = [];
  if (certificate.format !== 'clinicsync.deletion-certificate.v1') problems.push('not a Clinicsync deletion certificate (v1)');
  const bytes = Buffer.from(canonicalJson(contentOf(certificate)), 'utf8');
  if (createHash('sha256').update(bytes).digest('hex') !== certificate.sha256) problems.push('its content does not match its SHA-256: it was changed after it was issued');
  const pem = trustedPublicKeyPem ?? certificate.signingKey?.publicKeyPem;
  if (trustedPublicKeyPem !== undefined && certificate.signingKey?.publicKeyPem.trim() !== trustedPublicKeyPem.trim()) {
    problems.push('it names a signing key other than the trusted one');
  }
  try {
    if (!pem || !verify(null, bytes, createPublicKey(pem), Buffer.from(certificate.signature ?? '', 'base64'))) problems.push('its signature does not verify');
  } catch {
    problems.push('its signature or signing key cannot be read');
  }
  return { ok: problems.length === 0, problems };
}
