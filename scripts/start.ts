// `npm start`: the whole system on embedded defaults — the sync server (PGlite in .data/,
// in-process bus, a seeded demo org) and one workstation. The workstation is the Electron
// app when Electron's binary is installed, otherwise the browser-mode host on loopback.
// Ctrl-C closes everything in reverse order and exits 0.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError, describeConfig, loadConfig } from '../sync-server/config.ts';
import { jsonLineLogger, type Logger } from '../sync-server/log.ts';
import { startSyncServer } from '../sync-server/server.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const dataDir = join(root, '.data');
const rendererDir = join(root, 'dist', 'renderer');
const env = process.env;
// Relative defaults (.data/server) mean the repository root, wherever npm was started from.
process.chdir(root);

/** The server's structured log, reduced to what needs attention during a demo. */
const warningsOnly: Logger = (event) => {
  if (event.level === 'warn' || event.level === 'error') jsonLineLogger(event);
};

type Closer = { name: string; close: () => Promise<void> | void };
const closers: Closer[] = [];

function log(message: string): void {
  console.log(`[start] ${message}`);
}

/** Runs `node <script> ...args` from the repository root; rejects on a non-zero exit. */
function runNode(script: string, args: string[]): Promise<void> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [join(root, script), ...args], { cwd: root, stdio: 'inherit' });
    child.on('error', fail);
    child.on('exit', (code) => (code === 0 ? done() : fail(new Error(`${script} ${args.join(' ')} exited with ${code}`))));
  });
}

async function ensureRendererBuilt(): Promise<void> {
  if (existsSync(join(rendererDir, 'index.html'))) return;
  log('building the renderer (dist/renderer is missing) …');
  const { build } = await import('vite');
  await build({ configFile: join(root, 'renderer', 'vite.config.ts'), logLevel: 'warn' });
}

/**
 * Electron's binary, if installed. Not `require('electron')`: that starts a download when
 * the binary is missing, which hangs on a machine without access to Electron's mirrors.
 */
function electronBinary(): string | undefined {
  const pkg = join(root, 'node_modules', 'electron');
  const pathFile = join(pkg, 'path.txt');
  if (!existsSync(pathFile)) return undefined;
  const executable = readFileSync(pathFile, 'utf8').trim();
  const distDir = env.ELECTRON_OVERRIDE_DIST_PATH ?? join(pkg, 'dist');
  const binary = join(distDir, executable);
  return existsSync(binary) ? binary : undefined;
}

/** Passphrase for the file keystore: the environment's, or one generated once into .data/. */
function keystorePassphrase(): string {
  const fromEnv = env.CLINICSYNC_KEYSTORE_PASSPHRASE;
  if (fromEnv) return fromEnv;
  const file = join(dataDir, 'keystore-passphrase');
  if (!existsSync(file)) {
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(file, randomBytes(32).toString('base64url'), { mode: 0o600 });
  }
  console.warn(
    [
      '',
      '  ┌─ WARNING ─────────────────────────────────────────────────────────────────',
      '  │ Browser mode: a FILE keystore stands in for the OS keystore (Electron',
      '  │ safeStorage). The per-org store keys are wrapped with a generated passphrase',
      `  │ kept in plain text in ${relative(root, file)}. Fine for a demo only; set`,
      '  │ CLINICSYNC_KEYSTORE_PASSPHRASE to use your own. Installed workstations use',
      '  │ the OS keystore.',
      '  └───────────────────────────────────────────────────────────────────────────',
      '',
    ].join('\n'),
  );
  return readFileSync(file, 'utf8').trim();
}

/** Browser-mode workstations, each with its own data folder and port; returns their launch URLs. */
async function startBrowserWorkstations(serverUrl: string, count: number): Promise<string[]> {
  const [{ createWorkstation }, { createFileKeystore }, { startBrowserHost }] = await Promise.all([
    import('../electron/workstation.ts'),
    import('../electron/keystore/file-keystore.ts'),
    import('../electron/host/browser-host.ts'),
  ]);
  const passphrase = keystorePassphrase();
  const firstPort = Number(env.CLINICSYNC_WORKSTATION_PORT ?? 4310);
  const urls: string[] = [];
  for (let n = 1; n <= count; n++) {
    const workstationDir = join(dataDir, `workstation-${n}`);
    const keystore = createFileKeystore({ dir: join(workstationDir, 'keys'), passphrase, log: (line) => log(line) });
    const workstation = createWorkstation({ dataDir: workstationDir, serverUrl, keystore, deviceName: `workstation ${n} (npm start)` });
    closers.push({ name: `workstation ${n}`, close: () => workstation.close() });
    const host = await startBrowserHost({ workstation, rendererDir, port: firstPort === 0 ? 0 : firstPort + n - 1 });
    closers.push({ name: `browser host ${n}`, close: () => host.close() });
    urls.push(host.url);
  }
  return urls;
}

function startElectronWorkstation(binary: string, serverUrl: string): ChildProcess {
  const child = spawn(binary, [root], {
    cwd: root,
    stdio: 'inherit',
    env: { ...env, CLINICSYNC_SERVER_URL: serverUrl, CLINICSYNC_DATA_DIR: join(dataDir, 'workstation-1') },
  });
  closers.push({
    name: 'electron',
    close: () =>
      new Promise<void>((done) => {
        if (child.exitCode !== null || child.signalCode !== null) return done();
        child.once('exit', () => done());
        child.kill('SIGTERM');
      }),
  });
  // Quitting the window ends the demo.
  child.once('exit', () => void shutdown('the Electron window closed'));
  return child;
}

let stopping = false;
async function shutdown(reason: string, exitCode = 0): Promise<void> {
  if (stopping) return;
  stopping = true;
  log(`stopping (${reason}) …`);
  for (const { name, close } of closers.reverse()) {
    try {
      await close();
      log(`closed ${name}`);
    } catch (error) {
      console.error(`[start] closing ${name} failed:`, error);
    }
  }
  process.exit(exitCode);
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    // A second Ctrl-C while closing means "now".
    if (stopping) process.exit(130);
    void shutdown(signal);
  });
}

interface RunningServer {
  url: string;
  demo: { orgs: { code: string; name: string; users: { username: string; password: string; role: string; displayName: string }[] }[] } | null;
}

/** The sync server: the one at CLINICSYNC_SERVER_URL if set, otherwise one started here. */
async function startServer(): Promise<RunningServer> {
  const external = env.CLINICSYNC_SERVER_URL;
  if (external) {
    new URL(external); // fail fast on a malformed URL
    log(`using the sync server at ${external} (CLINICSYNC_SERVER_URL); it printed its own demo sign-in`);
    return { url: external, demo: null };
  }
  // The server's own validated loader: embedded defaults (PGlite in .data/server, in-process
  // bus, demo orgs), overridable with the same CLINICSYNC_* variables as `sync-server/main.ts`.
  const options = loadConfig(env);
  log(`starting the sync server (${describeConfig(options)}) …`);
  const server = await startSyncServer({ ...options, log: warningsOnly });
  closers.push({ name: 'sync server', close: () => server.close() });
  log(`sync server listening at ${server.url}`);
  return server;
}

async function main(): Promise<void> {
  const server = await startServer();
  await ensureRendererBuilt();

  const binary = electronBinary();
  let openWhat: string;
  if (binary) {
    log('Electron is installed: building the main process (tsc -p electron/tsconfig.build.json) …');
    await runNode('node_modules/typescript/bin/tsc', ['-p', 'electron/tsconfig.build.json']);
    startElectronWorkstation(binary, server.url);
    openWhat = 'The Clinicsync window is opening.';
  } else {
    const count = Math.max(1, Number(env.CLINICSYNC_WORKSTATIONS ?? 1) || 1);
    const urls = await startBrowserWorkstations(server.url, count);
    openWhat = [
      "Electron's binary is not installed, so the workstation runs in browser mode.",
      ...urls.map((url, i) => `  Open${urls.length > 1 ? ` workstation ${i + 1}` : ''}:  ${url}`),
      '  (each link works once — it trades its token for a session cookie in that browser)',
    ].join('\n');
  }

  const lines = ['', '══════════════════════════ Clinicsync is running ══════════════════════════', `  ${openWhat}`, ''];
  for (const org of server.demo?.orgs ?? []) {
    lines.push(`  Demo organization  ${org.name}   — org code: ${org.code}`);
    for (const user of org.users) {
      lines.push(`    ${user.role.padEnd(10)} username: ${user.username.padEnd(14)} password: ${user.password}   (${user.displayName})`);
    }
  }
  lines.push('', `  Sync server: ${server.url}   Data: ${relative(root, dataDir)}/   Stop: Ctrl-C`);
  lines.push('═══════════════════════════════════════════════════════════════════════════', '');
  console.log(lines.join('\n'));
}

main().catch(async (error: unknown) => {
  if (error instanceof ConfigError) console.error(`[start] ${error.message}`);
  else console.error('[start] failed to start:', error);
  await shutdown('start-up failed', 1);
});
