/**
 * Why a connection to the sync server failed its TLS handshake, for IT. At the desk a
 * certificate problem reads like any other outage ("the sync server cannot be reached"),
 * and the workstation keeps working offline; the reason goes to the log as a code from a
 * fixed vocabulary (OpenSSL's verification results as Node names them, or Node's own
 * ERR_TLS_… / ERR_SSL_… codes) with a hint. No address, header or message text is logged:
 * those could carry a host's internals or a token.
 */

/** OpenSSL certificate verification results, as Node reports them on a refused handshake. */
const CERTIFICATE_CODES = new Set([
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_CRL',
  'UNABLE_TO_DECRYPT_CERT_SIGNATURE',
  'UNABLE_TO_DECRYPT_CRL_SIGNATURE',
  'UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY',
  'CERT_SIGNATURE_FAILURE',
  'CRL_SIGNATURE_FAILURE',
  'CERT_NOT_YET_VALID',
  'CERT_HAS_EXPIRED',
  'CRL_NOT_YET_VALID',
  'CRL_HAS_EXPIRED',
  'ERROR_IN_CERT_NOT_BEFORE_FIELD',
  'ERROR_IN_CERT_NOT_AFTER_FIELD',
  'ERROR_IN_CRL_LAST_UPDATE_FIELD',
  'ERROR_IN_CRL_NEXT_UPDATE_FIELD',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'CERT_CHAIN_TOO_LONG',
  'CERT_REVOKED',
  'INVALID_CA',
  'PATH_LENGTH_EXCEEDED',
  'INVALID_PURPOSE',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'HOSTNAME_MISMATCH',
]);

const NODE_TLS_CODE = /^ERR_(TLS|SSL)_[A-Z0-9_]{1,60}$/;

const UNTRUSTED = new Set(['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'UNABLE_TO_GET_ISSUER_CERT', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'SELF_SIGNED_CERT_IN_CHAIN', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'CERT_UNTRUSTED']);

/** One sentence for IT per kind of failure (fixed text: nothing from the error itself). */
export function tlsFailureHint(code: string): string {
  if (UNTRUSTED.has(code)) {
    return "The sync server's certificate is not from a trusted CA: add your CA (or your TLS-inspecting proxy's) to extraCaCertificates in the machine policy.";
  }
  if (code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID') {
    return "The sync server's certificate is outside its validity dates: renew it, or correct this workstation's clock.";
  }
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID' || code === 'HOSTNAME_MISMATCH') {
    return "The sync server's certificate does not name the host in serverUrl: use the name the certificate was issued for.";
  }
  return 'The TLS connection to the sync server was refused: see docs/it-deployment.md, Certificate trust.';
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/**
 * The TLS reason code somewhere in an error's cause chain (tRPC client error → fetch's
 * "fetch failed" → the socket's error; several addresses tried give an AggregateError),
 * or undefined when the failure was not a TLS one.
 */
export function tlsFailureCode(error: unknown, depth = 0): string | undefined {
  if (!isRecord(error) || depth > 6) return undefined;
  const code = error['code'];
  if (typeof code === 'string' && (CERTIFICATE_CODES.has(code) || NODE_TLS_CODE.test(code))) return code;
  const errors = Array.isArray(error['errors']) ? (error['errors'] as unknown[]) : [];
  for (const inner of [error['cause'], ...errors]) {
    const found = tlsFailureCode(inner, depth + 1);
    if (found) return found;
  }
  return undefined;
}

type Log = (event: string, fields: Record<string, string>) => void;

/** A workstation that cannot reach its server retries every few seconds: the same code is logged at most this often. */
export const TLS_LOG_INTERVAL_MS = 10 * 60_000;

let sink: Log | null = null;
const lastLogged = new Map<string, number>();

/** Where TLS failures of sync calls are logged (set once by each host at start-up; null: nowhere). */
export function logTlsFailuresTo(log: Log | null): void {
  sink = log;
  lastLogged.clear();
}

/** Logs `sync_tls_failed` with the code and a hint when the failure was a TLS one; returns the code. */
export function reportTlsFailure(error: unknown, now = Date.now()): string | undefined {
  const code = tlsFailureCode(error);
  if (!code || !sink) return code;
  const last = lastLogged.get(code);
  if (last !== undefined && now - last < TLS_LOG_INTERVAL_MS) return code;
  lastLogged.set(code, now);
  sink('sync_tls_failed', { code, hint: tlsFailureHint(code) });
  return code;
}
