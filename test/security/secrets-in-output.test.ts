import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFileKeystore } from '../../electron/keystore/file-keystore.ts';
import { samplePatient } from '../../electron/store/test-fixtures.ts';
import { freePort, startSyncServerProcess, type SyncServerProcess } from '../../electron/test-support/sync-server-process.ts';
import { tempDir } from '../../electron/test-support/temp-dir.ts';
import { startHost, type HostRun } from './host-process.ts';
import { startRecordingProxy, type RecordingProxy } from './recording-proxy.ts';
import { findSecrets, keyForms, type Haystack, type Secret } from './secret-scan.ts';

/**
 * No key, passphrase, password or session token in anything a workstation leaves behind:
 * the real browser-mode host and the real sync server as processes, a sign-in and a new
 * patient, then the failures that tend to print too much (a wrong password, a wrong
 * keystore passphrase, a store key that does not open the store, a diagnostic report and
 * a crash). Everything they wrote is collected and searched; the store files themselves
 * are left out (they are encrypted with the key by design).
 */
const CLI_MAIN = fileURLToPath(new URL('../../sync-server/cli/main.ts', import.meta.url));
const ORG = 'leakcheck';
const USERNAME = 'leak.check';

interface Output {
  where: string;
  chunks: Buffer[];
}

describe('secrets in what the workstation and server leave behind', { timeout: 180_000 }, () => {
  const root = tempDir('clinicsync-secrets-');
  const serverDir = join(root.path, 'server');
  const dataDir = join(root.path, 'workstation');
  const rendererDir = join(root.path, 'renderer');
  const cwd = join(root.path, 'cwd'); // where a crashing host would drop a core or report by default
  const password = `Pw-${randomBytes(12).toString('base64url')}`;
  const wrongPassword = `Wrong-${randomBytes(12).toString('base64url')}`;
  const passphrase = `Passphrase-${randomBytes(12).toString('base64url')}`;
  const wrongPassphrase = `Otherphrase-${randomBytes(12).toString('base64url')}`;
  const outputs: Output[] = [];
  const runs: HostRun[] = [];
  let server: SyncServerProcess | undefined;
  let proxy: RecordingProxy | undefined;
  let tenantId = '';

  function output(where: string): Output {
    const entry = { where, chunks: [] as Buffer[] };
    outputs.push(entry);
    return entry;
  }

  function cli(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string }> {
    const out = output(`cli ${args.slice(0, 2).join(' ')} stdout`);
    const err = output(`cli ${args.slice(0, 2).join(' ')} stderr`);
    const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env };
    for (const name of ['CLINICSYNC_DATABASE_URL', 'DATABASE_URL', 'CLINICSYNC_DATA_DIR']) delete childEnv[name];
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [CLI_MAIN, ...args, '--data-dir', serverDir], { env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
      child.stdout.on('data', (chunk: Buffer) => out.chunks.push(chunk));
      child.stderr.on('data', (chunk: Buffer) => err.chunks.push(chunk));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stdout: Buffer.concat(out.chunks).toString() }));
    });
  }

  async function host(name: string, options: { passphrase: string; nodeFlags?: string[] }): Promise<HostRun> {
    const run = await startHost({ name, serverUrl: proxy!.url, dataDir, rendererDir, cwd, passphrase: options.passphrase, ...(options.nodeFlags ? { nodeFlags: options.nodeFlags } : {}) });
    runs.push(run);
    return run;
  }

  const signIn = (run: HostRun, withPassword: string) => run.call('session.signIn', { org: ORG, username: USERNAME, password: withPassword });
  const errorCode = (body: unknown) => (body as { error?: { data?: { appCode?: string } } }).error?.data?.appCode;

  beforeAll(async () => {
    for (const folder of [rendererDir, cwd]) mkdirSync(folder, { recursive: true });
    writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>test</title>');
    // Our own org and user, so the password is one no process was given on purpose (the
    // server prints the demo passwords; ours must never appear).
    const created = await cli(['tenant', 'create', '--code', ORG, '--name', 'Leak Check Clinic', '--json']);
    expect(created.code).toBe(0);
    tenantId = (JSON.parse(created.stdout) as { tenantId: string }).tenantId;
    const user = await cli(['user', 'create', '--tenant', ORG, '--username', USERNAME, '--display-name', 'Leak Check', '--role', 'front_desk'], {
      CLINICSYNC_NEW_USER_PASSWORD: password,
    });
    expect(user.code).toBe(0);
    const serverOut = output('sync server stdout');
    const serverErr = output('sync server stderr');
    server = await startSyncServerProcess({
      port: await freePort(),
      dataDir: serverDir,
      onOutput: (stream, chunk) => (stream === 'stdout' ? serverOut : serverErr).chunks.push(chunk),
    });
    proxy = await startRecordingProxy(new URL(server.url));
  }, 240_000); // two admin commands and a server start, each opening PGlite

  afterAll(async () => {
    for (const run of runs) await run.stop('SIGKILL');
    await proxy?.close();
    await server?.stop();
    root.remove();
  });

  /** Everything to search: process output, API answers, and every file but the store itself. */
  function collect(): Haystack[] {
    const haystacks: Haystack[] = outputs.map((o) => ({ where: o.where, bytes: Buffer.concat(o.chunks) }));
    for (const run of runs) {
      haystacks.push({ where: `host ${run.name} stdout`, bytes: Buffer.concat(run.stdout) });
      haystacks.push({ where: `host ${run.name} stderr`, bytes: Buffer.concat(run.stderr) });
      haystacks.push({ where: `host ${run.name} API answers`, bytes: Buffer.concat(run.answers) });
    }
    for (const folder of [dataDir, cwd]) {
      for (const path of filesUnder(folder)) {
        if (/\.db(-wal|-shm)?$/.test(path)) continue; // the encrypted store: ciphertext by design
        haystacks.push({ where: relative(root.path, path), bytes: readFileSync(path) });
      }
    }
    return haystacks;
  }

  it('finds no store key, passphrase, password or session token anywhere, through sign-in, a patient and the failures', async () => {
    // 1. A normal session with diagnostic reports switched on, then a report and a crash.
    const reports = join(dataDir, 'diagnostic-reports');
    mkdirSync(reports, { recursive: true }); // Node writes no report into a folder that does not exist
    const first = await host('first', { passphrase, nodeFlags: ['--report-on-signal', '--report-on-fatalerror', '--report-uncaught-exception', `--report-directory=${reports}`] });
    const badSignIn = await signIn(first, wrongPassword);
    expect(badSignIn.status).toBeGreaterThanOrEqual(400);
    expect(errorCode(badSignIn.body)).toMatch(/^[A-Z_]+$/); // a refusal the renderer shows, with its message
    expect((await signIn(first, password)).status).toBe(200);
    const created = await first.call('patients.create', samplePatient({ givenName: 'Leakcheck', familyName: 'Patient', mrn: 'LEAK-1' }));
    expect(created.status).toBe(200);
    await first.call('sync.now');
    first.child.kill('SIGUSR2'); // Node's diagnostic report, as an operator would ask for one
    await waitFor(() => Buffer.concat(first.stderr).toString().includes('Node.js report completed'));
    expect(await first.stop('SIGABRT')).toMatchObject({ signal: 'SIGABRT' }); // and a crash

    // 2. A restart with the wrong keystore passphrase: the key does not unwrap.
    const wrongPhrase = await host('wrong-passphrase', { passphrase: wrongPassphrase });
    const locked = await signIn(wrongPhrase, password);
    expect(errorCode(locked.body)).toBe('STORE_LOCKED');
    await wrongPhrase.stop();

    // 3. A key that unwraps but does not open the store (another key for the same org).
    const keysDir = join(dataDir, 'keys');
    const realKeyFile = join(keysDir, `${tenantId}.json`);
    const savedKeyFile = join(root.path, 'saved-key.json');
    copyFileSync(realKeyFile, savedKeyFile);
    const otherKeys = join(root.path, 'other-keys');
    const wrongKey = await createFileKeystore({ dir: otherKeys, passphrase, log: () => {} }).getOrCreateStoreKey(tenantId);
    copyFileSync(join(otherKeys, `${tenantId}.json`), realKeyFile);
    const wrongKeyRun = await host('wrong-key', { passphrase });
    const refused = await signIn(wrongKeyRun, password);
    expect(errorCode(refused.body)).toBe('STORE_MISMATCH');
    await wrongKeyRun.stop();
    copyFileSync(savedKeyFile, realKeyFile);

    // 4. Back to normal after all that: the patient is there.
    const last = await host('after', { passphrase });
    expect((await signIn(last, password)).status).toBe(200);
    const listed = await last.query('patients.list', { search: 'Leakcheck' });
    expect(JSON.stringify(listed.body)).toContain('LEAK-1');
    await last.stop();

    // The secrets: the store key through the keystore API, as the host itself obtains it.
    const storeKey = await createFileKeystore({ dir: keysDir, passphrase, log: () => {} }).getOrCreateStoreKey(tenantId);
    const tokens = proxy!.sessionTokens();
    expect(tokens.length).toBeGreaterThanOrEqual(3); // one per server sign-in that succeeded (first, wrong-key, after, …)
    const secrets: Secret[] = [
      ...keyForms('store key', storeKey),
      ...keyForms('the other key planted for the org', wrongKey),
      { what: 'keystore passphrase', value: passphrase },
      { what: 'wrong keystore passphrase', value: wrongPassphrase },
      { what: 'user password', value: password },
      { what: 'wrong password tried', value: wrongPassword },
      ...tokens.map((value, i) => ({ what: `session token ${i + 1}`, value })),
      ...runs.map((run) => ({ what: `host browser-session cookie (${run.name})`, value: run.cookie })),
    ];

    const haystacks = collect();
    // The collection really holds what the failures wrote.
    const names = haystacks.map((h) => h.where);
    expect(names).toEqual(expect.arrayContaining(['sync server stdout', 'workstation/device.json', `workstation/keys/${tenantId}.json`, `workstation/stores/${tenantId}.db.watermark`]));
    expect(names.some((name) => name.startsWith('workstation/diagnostic-reports/'))).toBe(true);
    // A hit in a diagnostic report under "keystore passphrase" is the environment: Node's
    // report lists every environment variable, so the host must delete
    // CLINICSYNC_KEYSTORE_PASSPHRASE from process.env once it has read it.
    expect(findSecrets(haystacks, secrets), 'secrets found in the output (see the comment above)').toEqual([]);

    // Control: the same search finds each kind of secret once planted where it looks.
    const planted = join(dataDir, 'planted.log');
    writeFileSync(planted, ['hex', 'base64', 'base64url'].map((encoding) => storeKey.toString(encoding as BufferEncoding)).join('\n') + `\n${passphrase}\n${password}\n${tokens[0]}\n`);
    const plantedHits = findSecrets(collect(), secrets).filter((hit) => hit.where === 'workstation/planted.log').map((hit) => hit.what);
    expect(plantedHits).toEqual(
      expect.arrayContaining(['store key (hex)', 'store key (base64)', 'store key (base64url)', 'keystore passphrase', 'user password', 'session token 1']),
    );
    writeFileSync(planted, Buffer.from(passphrase, 'utf16le'));
    expect(findSecrets(collect(), secrets)).toEqual([{ where: 'workstation/planted.log', what: 'keystore passphrase' }]);
  });
});

function filesUnder(root: string): string[] {
  let names: string[];
  try {
    names = readdirSync(root, { recursive: true, encoding: 'utf8' });
  } catch {
    return [];
  }
  return names.map((name) => join(root, name)).filter((path) => statSync(path).isFile());
}

async function waitFor(condition: () => boolean, timeoutMs = 15_000): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > timeoutMs) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
