import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { runCli as runCliCommand } from '../cli/run.ts';

/** The real `clinicsync-server` entry point, run by the CLI suites in a child process. */
export const CLI_MAIN = join(import.meta.dirname, '..', 'cli', 'main.ts');
const REPO_ROOT = join(import.meta.dirname, '..', '..');

/** What would point the child at this shell's database, keys or log level instead of the test's own. */
const AMBIENT = ['CLINICSYNC_DATABASE_URL', 'DATABASE_URL', 'CLINICSYNC_DATA_DIR', 'CLINICSYNC_LOG_LEVEL', 'CLINICSYNC_VAULT_MASTER_KEY', 'CLINICSYNC_VAULT_MASTER_KEY_FILE'];

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the CLI as an operator would: its own process, this Node, the ambient database and
 * key variables removed (the test passes what it means in `env`), stdin given or empty.
 */
export function runCli(args: readonly string[], options: { stdin?: string; env?: Record<string, string>; cwd?: string } = {}): Promise<CliRun> {
  const env = cliEnv(options.env);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI_MAIN, ...args], { cwd: options.cwd ?? REPO_ROOT, env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(options.stdin ?? '');
  });
}

/** This shell's environment without the ambient database and key variables, plus `extra`. */
function cliEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of AMBIENT) delete env[name];
  return Object.assign(env, extra);
}

/**
 * The same command line run inside the test's process: the runner main.ts calls, with
 * stdout, stderr, the environment and stdin given as runCli gives them to the child. For
 * checks of what a command does and says; what only the real process shows (its exit
 * code reaching the shell, real stdin, signals) stays with runCli. A fresh process opens
 * PGlite in seconds (loading its engine), this one in about one; relative paths resolve
 * against this process's directory, so give absolute ones.
 */
export async function runCliInProcess(args: readonly string[], options: { stdin?: string; env?: Record<string, string> } = {}): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const code = await runCliCommand(args, {
    out: (text) => void (stdout += text),
    err: (text) => void (stderr += text),
    env: cliEnv(options.env),
    readStdin: async () => options.stdin ?? '',
    stopRequested: () => new Promise<string>(() => undefined),
  });
  return { code, stdout, stderr };
}
