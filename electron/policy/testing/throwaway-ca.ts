import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface ThrowawayCa {
  dir: string;
  /** The CA certificate (PEM) and its file. */
  caPem: string;
  caFile: string;
  /** A server certificate for `localhost` / 127.0.0.1 signed by this CA. */
  server: { key: string; cert: string };
  remove(): void;
}

/** A real CA made with openssl for one test run (P-256, valid one day); nothing is trusted by default. */
export function createThrowawayCa(): ThrowawayCa {
  const dir = mkdtempSync(join(tmpdir(), 'clinicsync-ca-'));
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1'];
  openssl('req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.pem', '-subj', '/CN=Clinicsync Test CA', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign');
  openssl('req', '-x509', ...ec, '-keyout', 'server.key', '-out', 'server.pem', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1', '-CA', 'ca.pem', '-CAkey', 'ca.key');
  openssl('x509', '-in', 'ca.pem', '-outform', 'DER', '-out', 'ca.der');
  return {
    dir,
    caPem: readFileSync(join(dir, 'ca.pem'), 'utf8'),
    caFile: join(dir, 'ca.pem'),
    server: { key: readFileSync(join(dir, 'server.key'), 'utf8'), cert: readFileSync(join(dir, 'server.pem'), 'utf8') },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

let issued = 0;

/**
 * Another server certificate from this CA for `localhost` / 127.0.0.1: `expired` makes one
 * whose validity ended a day ago (CERT_HAS_EXPIRED once the CA is trusted).
 */
export function issueServerCertificate(ca: ThrowawayCa, options: { expired?: boolean } = {}): { key: string; cert: string } {
  const name = `issued-${++issued}`;
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: ca.dir, stdio: 'pipe' });
  writeFileSync(join(ca.dir, `${name}.ext`), 'subjectAltName=DNS:localhost,IP:127.0.0.1\n');
  openssl('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', '/CN=localhost');
  openssl('x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-days', options.expired ? '-1' : '1', '-extfile', `${name}.ext`, '-out', `${name}.pem`);
  return { key: readFileSync(join(ca.dir, `${name}.key`), 'utf8'), cert: readFileSync(join(ca.dir, `${name}.pem`), 'utf8') };
}

/** A self-signed server certificate for `localhost` (no CA behind it: DEPTH_ZERO_SELF_SIGNED_CERT). */
export function selfSignedServer(ca: ThrowawayCa): { key: string; cert: string } {
  const name = `self-signed-${++issued}`;
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1', '-keyout', `${name}.key`, '-out', `${name}.pem`, '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1'], { cwd: ca.dir, stdio: 'pipe' });
  return { key: readFileSync(join(ca.dir, `${name}.key`), 'utf8'), cert: readFileSync(join(ca.dir, `${name}.pem`), 'utf8') };
}
