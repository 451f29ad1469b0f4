// `npm run dist [-- electron-builder arguments]`: the renderer and main-process builds, then
// electron-builder with electron-builder.yml, once per target platform (this OS unless
// `--win` / `--mac` / `--linux` say otherwise). Each platform's signing is decided from the
// environment first (scripts/signing-status.ts): an unsigned build gets `-UNSIGNED` in every
// artifact name, a loud warning, and a window title that says so; a build meant to be signed
// fails if electron-builder cannot sign it. docs/installers.md.
import { execFileSync, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { builderOverride, PLATFORM_CONFIG_KEY } from './signing-overrides.ts';
import { asTargetPlatform, azureSignOptionsFrom, signingReport, signingStatus, SigningConfigError, type SigningStatus } from './signing-status.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
process.chdir(root);
const require = createRequire(join(root, 'package.json'));
const DEFAULT_CONFIG = 'electron-builder.yml';

type Config = Record<string, unknown>;
type Platform = { nodeName: string };
type BuildOptions = { config?: string | Config; targets: Map<Platform, unknown>; [key: string]: unknown };
type Yargs = { strict(): Yargs; exitProcess(exit: boolean): Yargs; fail(handler: (message: string, error?: Error) => never): Yargs; parse(args: string[]): Record<string, unknown> };
// electron-builder's own command line, so `npm run dist -- …` takes exactly what `electron-builder …` takes.
const cli = require('electron-builder/out/builder.js') as {
  createYargs(): Yargs;
  configureBuildCommand(yargs: Yargs): Yargs;
  normalizeOptions(args: Record<string, unknown>): BuildOptions;
};
const { build } = require('electron-builder') as { build(options: BuildOptions): Promise<string[]> };
const { loadEnv } = require('app-builder-lib/out/util/config/load.js') as { loadEnv(file: string): Promise<unknown> };
const { getConfig } = require('app-builder-lib/out/util/config/config.js') as {
  getConfig(projectDir: string, configPath: string | null, configFromOptions: Config | null): Promise<Config>;
};
const { deepAssign } = require('builder-util-runtime') as { deepAssign<T>(target: T, ...objects: unknown[]): T };

/** A bad argument or configuration: its sentence, no stack. */
class DistError extends Error {}

function log(message: string): void {
  console.log(`[dist] ${message}`);
}

/** electron-builder's arguments, with electron-builder.yml as the configuration unless one is named. */
function parseArguments(args: string[]): { options: BuildOptions; configPath: string; userConfig: Config } {
  const yargs = cli
    .configureBuildCommand(cli.createYargs())
    .strict()
    .exitProcess(false)
    .fail((message, error) => {
      throw new DistError(error?.message ?? message);
    });
  const options = cli.normalizeOptions(yargs.parse(args));
  // `--config file` gives a string; `-c.key=value` (with or without a file) an object whose `extends` is the file.
  const given = options.config;
  const userConfig: Config = typeof given === 'object' ? { ...given } : {};
  const configPath = typeof given === 'string' ? given : typeof userConfig['extends'] === 'string' ? userConfig['extends'] : DEFAULT_CONFIG;
  delete userConfig['extends'];
  return { options, configPath, userConfig };
}

/** The build machine's code-signing identities (macOS), as electron-builder's discovery would see them. */
function macIdentities(): string[] {
  if (process.platform !== 'darwin') return [];
  try {
    return execFileSync('security', ['find-identity', '-v', '-p', 'codesigning'], { encoding: 'utf8' }).split('\n');
  } catch {
    return [];
  }
}

/** `npm run <script>` through the npm that started us (npm_execpath), so no shell is needed on Windows. */
function npmRun(script: string): Promise<void> {
  const npm = process.env['npm_execpath'];
  const [command, args] = npm ? [process.execPath, [npm, 'run', script]] : ['npm', ['run', script]];
  return new Promise((done, fail) => {
    const child = spawn(command, args, { cwd: root, stdio: 'inherit', shell: npm ? false : process.platform === 'win32' });
    child.on('error', fail);
    child.on('exit', (code) => (code === 0 ? done() : fail(new Error(`npm run ${script} exited with ${code}`))));
  });
}

function printReport(statuses: SigningStatus[]): void {
  const report = signingReport(statuses);
  (report.loud ? console.warn : console.log)(report.lines.join('\n'));
}

async function main(): Promise<void> {
  const { options, configPath, userConfig } = parseArguments(process.argv.slice(2));
  // As electron-builder's command line does before anything else: a variable already set wins.
  await loadEnv(join(root, 'electron-builder.env'));

  const machine = { platform: process.platform, macIdentities: macIdentities() };
  const runs = [...options.targets].map(([platform, archs]) => ({ platform, archs, status: signingStatus(asTargetPlatform(platform.nodeName), process.env, machine) }));
  const statuses = runs.map((run) => run.status);
  printReport(statuses);
  if (process.env['CLINICSYNC_REQUIRE_SIGNED'] === '1' && statuses.some((status) => status.state === 'unsigned')) {
    throw new SigningConfigError('CLINICSYNC_REQUIRE_SIGNED=1 and a target would be unsigned (above); nothing was built.');
  }
  const azure = azureSignOptionsFrom(process.env);

  log('npm run build:renderer');
  await npmRun('build:renderer');
  log('npm run build:electron');
  await npmRun('build:electron');

  const effective = await getConfig(root, configPath, structuredClone(userConfig));
  const builtAt = new Date();
  const artifacts: string[] = [];
  for (const { platform, archs, status } of runs) {
    const platformOptions = effective[PLATFORM_CONFIG_KEY[status.platform]] as Config | undefined;
    const artifactName = platformOptions?.['artifactName'] ?? effective['artifactName'];
    if (typeof artifactName !== 'string') throw new DistError(`${configPath} sets no artifactName, so an unsigned build could not be marked.`);
    const override = builderOverride({ status, artifactName, azure, builtAt });
    const config = deepAssign({ extends: configPath }, structuredClone(userConfig), override);
    log(`electron-builder for ${status.platform} (${status.state}${status.state === 'signed' ? `, ${status.method}` : ''})`);
    artifacts.push(...(await build({ ...options, targets: new Map([[platform, archs]]), config })));
  }
  log(`artifacts:\n${artifacts.map((file) => `  ${file}`).join('\n')}`);
  // Again at the end, where it is seen after electron-builder's own output.
  printReport(statuses);
}

main().catch((error: unknown) => {
  if (error instanceof SigningConfigError || error instanceof DistError) console.error(`[dist] ${error.message}`);
  else console.error('[dist] failed:', error);
  process.exit(1);
});
