import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import { fileURLToPath } from 'node:url';

/** The browser-mode host (`electron/host/main.ts`) as its own process, as `npm start` runs it. */
export const HOST_MAIN = fileURLToPath(new URL('../../electron/host/main.ts', import.meta.url));

export interface HostRunOptions {
  /** Names this run in the collected output. */
  name: string;
  serverUrl: string;
  dataDir: string;
  rendererDir: string;
  passphrase: string;
  cwd: string;
  /** Extra Node flags (e.g. diagnostic reports). */
  nodeFlags?: string[];
}

export interface HostRun {
  name: string;
  origin: string;
  child: ChildProcess;
  stdout: Buffer[];
  stderr: Buffer[];
  /** Every API answer body (what the renderer would see, error messages included). */
  answers: Buffer[];
  /** The cookie value that stands for this browser session. */
  cookie: string;
  /** A tRPC mutation (POST) of the local API. */
  call(path: string, input?: unknown): Promise<{ status: number; body: unknown }>;
  /** A tRPC query (GET, input in the URL) of the local API. */
  query(path: string, input?: unknown): Promise<{ status: number; body: unknown }>;
  /** Sends `signal` and waits for the process to end. */
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export async function startHost(options: HostRunOptions): Promise<HostRun> {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) if (!name.startsWith('CLINICSYNC_')) env[name] = value;
  Object.assign(env, {
    CLINICSYNC_SERVER_URL: options.serverUrl,
    CLINICSYNC_DATA_DIR: options.dataDir,
    CLINICSYNC_KEYSTORE_PASSPHRASE: options.passphrase,
    CLINICSYNC_HOST_PORT: '0',
    CLINICSYNC_RENDERER_DIR: options.rendererDir,
  });
  const child = spawn(process.execPath, [...(options.nodeFlags ?? []), HOST_MAIN], { cwd: options.cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const stdout: Buffer[] = [];
  const stderr: Buffer[] = [];
  child.stdout!.on('data', (chunk: Buffer) => stdout.push(chunk));
  child.stderr!.on('data', (chunk: Buffer) => stderr.push(chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));

  const launchUrl = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`host ${options.name} did not start:\n${Buffer.concat(stderr).toString()}`)), 30_000);
    child.stdout!.on('data', () => {
      const match = /Open once: (\S+)/.exec(Buffer.concat(stdout).toString());
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`host ${options.name} exited early:\n${Buffer.concat(stderr).toString()}`));
    });
  });
  const origin = new URL(launchUrl).origin;
  const launched = await request(launchUrl, { method: 'GET', headers: {} });
  const cookie = /clinicsync_host=([^;]+)/.exec(String(launched.headers['set-cookie'] ?? ''))?.[1];
  if (!cookie) throw new Error('the launch link did not set a session cookie');
  const answers: Buffer[] = [];

  return {
    name: options.name,
    origin,
    child,
    stdout,
    stderr,
    answers,
    cookie,
    async call(path, input = {}) {
      const reply = await request(`${origin}/api/${path}`, {
        method: 'POST',
        headers: { cookie: `clinicsync_host=${cookie}`, origin, 'content-type': 'application/json' },
        body: JSON.stringify(input),
      });
      answers.push(reply.body);
      return { status: reply.status, body: JSON.parse(reply.body.toString('utf8')) as unknown };
    },
    async query(path, input) {
      const search = input === undefined ? '' : `?input=${encodeURIComponent(JSON.stringify(input))}`;
      const reply = await request(`${origin}/api/${path}${search}`, { method: 'GET', headers: { cookie: `clinicsync_host=${cookie}` } });
      answers.push(reply.body);
      return { status: reply.status, body: JSON.parse(reply.body.toString('utf8')) as unknown };
    },
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

function request(url: string, options: { method: string; headers: Record<string, string>; body?: string }): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: options.method, headers: options.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end(options.body);
  });
}
