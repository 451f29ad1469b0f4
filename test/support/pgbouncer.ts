import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { accessSync, chownSync, constants, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { recordSkippedSuite } from './skip-log.ts';

/** The Debian package's binary (override with CLINICSYNC_TEST_PGBOUNCER). */
export function pgbouncerBinary(): string {
  return process.env.CLINICSYNC_TEST_PGBOUNCER || '/usr/sbin/pgbouncer';
}

/**
 * For a suite that needs PgBouncer: true if the binary is here. If not, the suite FAILS
 * when CLINICSYNC_REQUIRE_PGBOUNCER=1 (CI), otherwise it is recorded as skipped, loudly.
 */
export function requirePgBouncer(suite: string): boolean {
  const binary = pgbouncerBinary();
  try {
    accessSync(binary, constants.X_OK);
    return true;
  } catch {
    const reason = `PgBouncer not installed at ${binary} (apt-get install pgbouncer)`;
    if (process.env.CLINICSYNC_REQUIRE_PGBOUNCER === '1') throw new Error(`${suite}: ${reason}, and CLINICSYNC_REQUIRE_PGBOUNCER=1`);
    recordSkippedSuite(suite, reason);
    return false;
  }
}

export interface PgBouncerOptions {
  /** The PostgreSQL server behind the pooler (trust auth). */
  upstream: { host: string; port: number };
  /** Roles allowed to connect (trust auth still needs them listed in the auth file). */
  users: string[];
  /** Server connections per (database, user): small, so client connections share them. */
  poolSize: number;
}

export interface RunningPgBouncer {
  port: number;
  /** The pooler's process (it runs in the foreground), e.g. to read its CPU time. */
  pid: number;
  /** `postgres://<user>@127.0.0.1:<port>/<db>` for the given admin URL's user and database. */
  urlFor(adminUrl: string): string;
  /** The pooler's own log (for a failure message). */
  log(): string;
  stop(): Promise<void>;
}

/**
 * Starts a private PgBouncer in transaction mode on a free loopback port, with a temp
 * config: a wildcard database entry to the upstream server, trust auth for the listed
 * roles, no unix socket, the log file in the temp folder. Stopped (and the folder removed)
 * by stop(). Run as root (CI) it drops to the postgres user, as PgBouncer refuses root.
 */
export async function startPgBouncer(options: PgBouncerOptions): Promise<RunningPgBouncer> {
  const dir = mkdtempSync(join(tmpdir(), 'clinicsync-pgbouncer-'));
  const port = await freePort();
  const logfile = join(dir, 'pgbouncer.log');
  writeFileSync(join(dir, 'users.txt'), options.users.map((user) => `"${user}" ""\n`).join(''));
  writeFileSync(
    join(dir, 'pgbouncer.ini'),
    [
      '[databases]',
      `* = host=${options.upstream.host} port=${options.upstream.port}`,
      '[pgbouncer]',
      'listen_addr = 127.0.0.1',
      `listen_port = ${port}`,
      'unix_socket_dir =',
      'pool_mode = transaction',
      'auth_type = trust',
      `auth_file = ${join(dir, 'users.txt')}`,
      `default_pool_size = ${options.poolSize}`,
      'min_pool_size = 0',
      'reserve_pool_size = 0',
      'max_client_conn = 200',
      'ignore_startup_parameters = extra_float_digits',
      `logfile = ${logfile}`,
      `pidfile = ${join(dir, 'pgbouncer.pid')}`,
      '',
    ].join('\n'),
  );
  const runAs = process.getuid?.() === 0 ? unprivilegedUser() : null;
  if (runAs) for (const file of ['', 'users.txt', 'pgbouncer.ini']) chownSync(join(dir, file), runAs.uid, runAs.gid);

  const args = [...(runAs ? ['-u', runAs.name] : []), join(dir, 'pgbouncer.ini')];
  const child: ChildProcess = spawn(pgbouncerBinary(), args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const log = () => {
    let file = '';
    try {
      file = readFileSync(logfile, 'utf8');
    } catch {
      // not written yet
    }
    return `${file}${stderr}`.trim();
  };
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGINT'); // PgBouncer's "safe shutdown"
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitForPort(port, child, 10_000);
  } catch (error) {
    const detail = log();
    await stop();
    throw new Error(`PgBouncer did not start: ${(error as Error).message}\n${detail}`);
  }
  return {
    port,
    pid: child.pid!,
    urlFor: (adminUrl) => {
      const url = new URL(adminUrl);
      url.hostname = '127.0.0.1';
      url.port = String(port);
      return url.toString();
    },
    log,
    stop,
  };
}

function unprivilegedUser(): { name: string; uid: number; gid: number } {
  for (const name of ['postgres', 'nobody']) {
    try {
      const uid = Number(execFileSync('id', ['-u', name], { encoding: 'utf8' }).trim());
      const gid = Number(execFileSync('id', ['-g', name], { encoding: 'utf8' }).trim());
      return { name, uid, gid };
    } catch {
      // try the next one
    }
  }
  throw new Error('PgBouncer refuses to run as root and there is no postgres or nobody user to run it as');
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function waitForPort(port: number, child: ChildProcess, ms: number): Promise<void> {
  const until = Date.now() + ms;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`it exited (${child.exitCode ?? child.signalCode})`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    if (Date.now() > until) throw new Error(`nothing listening on 127.0.0.1:${port} after ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
