import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----/g;

/** One entry of `extraCaCertificates` could not be turned into certificates; the sentence says why (never the file's contents). */
export class CertificateEntryError extends Error {}

/**
 * The certificates one `extraCaCertificates` entry names, as PEM text: either the PEM text
 * itself, or a file (absolute, or relative to the policy file's folder) holding one or more
 * PEM certificates or a single DER certificate (Windows exports `.cer` files either way).
 * Every certificate is parsed here, so a damaged one stops start-up with its entry named
 * instead of failing later inside a TLS handshake. A private key in the file is refused:
 * the policy names public trust anchors only.
 */
export function readCertificateEntry(entry: string, policyDir: string): string[] {
  if (entry.trimStart().startsWith('-----BEGIN')) return certificatesIn(entry, 'the PEM text');
  const file = path.resolve(policyDir, entry);
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    throw new CertificateEntryError(`the file ${file} cannot be read (${code})`);
  }
  const text = bytes.toString('latin1');
  if (text.includes('-----BEGIN')) return certificatesIn(text, `the file ${file}`);
  try {
    return [new X509Certificate(bytes).toString()];
  } catch {
    throw new CertificateEntryError(`the file ${file} holds no certificate (expected PEM or DER)`);
  }
}

function certificatesIn(text: string, what: string): string[] {
  const pems: string[] = [];
  for (const match of text.matchAll(PEM_BLOCK)) {
    const kind = match[1]!;
    if (kind.includes('PRIVATE KEY')) throw new CertificateEntryError(`${what} holds a private key; only CA certificates belong in the policy`);
    if (kind !== 'CERTIFICATE') continue;
    try {
      pems.push(new X509Certificate(match[0]).toString());
    } catch {
      throw new CertificateEntryError(`${what} holds a certificate that cannot be parsed (certificate ${pems.length + 1})`);
    }
  }
  if (pems.length === 0) throw new CertificateEntryError(`${what} holds no PEM certificate`);
  return pems;
}
