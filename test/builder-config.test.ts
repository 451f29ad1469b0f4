// electron-builder.yml is only exercised on a release machine with internet access, so its
// mistakes would surface late. This suite checks it here: valid against electron-builder's
// own JSON schema, the fuse hook wired and correct, no secret in the repository, and the
// native-module assumption behind `npmRebuild: false` still true.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { Ajv } from 'ajv';
import Database from 'better-sqlite3-multiple-ciphers';
import { minimatch } from 'minimatch';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { chooseUpdateChannel } from '../electron/updates/channel.ts';
import { EMPTY_STATE } from '../electron/updates/update-health.ts';
import { NO_FEED_URL, planUpdates } from '../electron/updates/updater-settings.ts';
import { applyKey } from '../electron/store/cipher-key.ts';
import { builderOverride } from '../scripts/signing-overrides.ts';
import { azureSignOptionsFrom, signingStatus, type SigningStatus } from '../scripts/signing-status.ts';
import { integrityWorkerUrl } from '../electron/store/store-integrity.ts';

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
const require = createRequire(import.meta.url);
// js-yaml is electron-builder's own YAML parser (a dependency of app-builder-lib).
const yaml = require('js-yaml') as { load(text: string): unknown };
const { FuseV1Options } = require('@electron/fuses') as { FuseV1Options: Record<string, number> };

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Target = { target: string; arch?: string[] };
interface BuilderConfig {
  [key: string]: Json | undefined;
  afterPack?: string;
  npmRebuild?: boolean;
  asarUnpack?: string[];
  files?: string[];
  win?: { target: Target[]; verifyUpdateCodeSignature?: boolean };
  publish?: Json;
  mac?: { target: Target[]; hardenedRuntime?: boolean; entitlements?: string; entitlementsInherit?: string };
  linux?: { target: Target[] };
  nsis?: { perMachine?: boolean };
}

/** Errors of a configuration against electron-builder's own JSON schema, or 'No errors'. */
function builderSchemaErrors(value: unknown): string {
  const schema = JSON.parse(readFileSync(join(ROOT, 'node_modules/app-builder-lib/scheme.json'), 'utf8')) as { $schema: string };
  expect(schema.$schema).toBe('http://json-schema.org/draft-07/schema#');
  // Ajv's default class is draft-07. The schema uses a `typeof` keyword (for hooks given as
  // functions in JS configs); declare it so strict mode accepts the schema.
  const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });
  ajv.addKeyword({ keyword: 'typeof', schemaType: 'string', validate: (type: string, data: unknown) => typeof data === type });
  const validate = ajv.compile(schema);
  const valid = validate(value);
  const errors = ajv.errorsText(validate.errors, { separator: '\n' });
  expect(valid, errors).toBe(errors === 'No errors');
  return errors;
}

const configText = readFileSync(join(ROOT, 'electron-builder.yml'), 'utf8');
const config = yaml.load(configText) as BuilderConfig;
const DRIVER = 'better-sqlite3-multiple-ciphers';

describe('electron-builder.yml', () => {
  it('is valid against app-builder-lib/scheme.json (draft-07)', () => {
    expect(builderSchemaErrors(config)).toBe('No errors');
  });

  it('packs the built app and unpacks the native SQLCipher driver', () => {
    expect(config.appId).toBe('health.clinicsync.workstation');
    expect(config.productName).toBe('Clinicsync');
    expect(config.files).toEqual(expect.arrayContaining(['dist/electron/**', 'dist/shared/**', 'dist/renderer/**', 'package.json']));
    expect(config.asar).toBe(true);
    expect(config.asarUnpack).toContain(`**/node_modules/${DRIVER}/**`);
    const targets = (platform: { target: Target[] } | undefined) => platform?.target.map((t) => t.target) ?? [];
    expect(targets(config.win)).toEqual(['nsis', 'msi']);
    expect(targets(config.mac)).toEqual(['dmg', 'pkg', 'zip']);
    expect(targets(config.linux)).toEqual(['deb', 'AppImage']);
    expect(config.nsis?.perMachine).toBe(true);
  });

  it('signs macOS builds with the hardened runtime and entitlements kept under build/', () => {
    expect(config.mac?.hardenedRuntime).toBe(true);
    for (const file of [config.mac?.entitlements, config.mac?.entitlementsInherit]) {
      expect(file).toMatch(/^build\//);
      const plist = readFileSync(join(ROOT, file ?? ''), 'utf8');
      expect(plist).toContain('com.apple.security.cs.allow-jit');
      // Relaxations that would let unsigned code into the process that holds the store keys.
      expect(plist).not.toMatch(/disable-library-validation|allow-dyld-environment-variables/);
    }
  });

  it('flips the Electron fuses in an afterPack hook', () => {
    expect(config.afterPack).toBe('./build/apply-fuses.cjs');
    const hook = require(join(ROOT, config.afterPack ?? '')) as {
      (context: unknown): Promise<void>;
      FUSES: Record<number, boolean>;
      electronBinaryPath(context: unknown): string;
    };
    expect(typeof hook).toBe('function');
    const fuse = (name: string) => hook.FUSES[FuseV1Options[name] ?? -1];
    expect({
      RunAsNode: fuse('RunAsNode'),
      EnableNodeOptionsEnvironmentVariable: fuse('EnableNodeOptionsEnvironmentVariable'),
      EnableNodeCliInspectArguments: fuse('EnableNodeCliInspectArguments'),
      EnableCookieEncryption: fuse('EnableCookieEncryption'),
      EnableEmbeddedAsarIntegrityValidation: fuse('EnableEmbeddedAsarIntegrityValidation'),
      OnlyLoadAppFromAsar: fuse('OnlyLoadAppFromAsar'),
      GrantFileProtocolExtraPrivileges: fuse('GrantFileProtocolExtraPrivileges'),
    }).toEqual({
      RunAsNode: false,
      EnableNodeOptionsEnvironmentVariable: false,
      EnableNodeCliInspectArguments: false,
      EnableCookieEncryption: true,
      EnableEmbeddedAsarIntegrityValidation: true,
      OnlyLoadAppFromAsar: true,
      GrantFileProtocolExtraPrivileges: false,
    });
    const packager = { executableName: 'clinicsync', appInfo: { productFilename: 'Clinicsync' } };
    const at = (electronPlatformName: string) => hook.electronBinaryPath({ appOutDir: '/out', electronPlatformName, packager });
    expect([at('darwin'), at('win32'), at('linux')]).toEqual(['/out/Clinicsync.app', '/out/Clinicsync.exe', '/out/clinicsync']);
  });

  it('the hook flips the fuse wire of a packed binary', async () => {
    // A stand-in for a packed Linux Electron binary: the fuse sentinel, wire version 1,
    // 8 fuses in Electron's shipped states ('1' on, '0' off).
    const { SENTINEL } = require('@electron/fuses/dist/constants.js') as { SENTINEL: string };
    const shipped = '10110001';
    const appOutDir = mkdtempSync(join(tmpdir(), 'clinicsync-fuses-'));
    try {
      const binary = join(appOutDir, 'clinicsync');
      writeFileSync(binary, Buffer.concat([randomBytes(64), Buffer.from(SENTINEL), Buffer.from([1, 8]), Buffer.from(shipped), randomBytes(64)]));
      const hook = require(join(ROOT, config.afterPack ?? '')) as (context: unknown) => Promise<void>;
      await hook({ appOutDir, electronPlatformName: 'linux', arch: 1, packager: { executableName: 'clinicsync' } });
      const bytes = readFileSync(binary);
      const wireAt = bytes.indexOf(SENTINEL) + SENTINEL.length + 2;
      // RunAsNode, CookieEncryption, NodeOptions, NodeCliInspect, AsarIntegrity, OnlyLoadAppFromAsar,
      // LoadBrowserProcessSpecificV8Snapshot (left as shipped), GrantFileProtocolExtraPrivileges.
      expect(bytes.subarray(wireAt, wireAt + 8).toString()).toBe('01001100');
    } finally {
      rmSync(appOutDir, { recursive: true, force: true });
    }
  });

  it('embeds no secret: signing material comes from environment variables only', () => {
    const secretKey = /password|secret|token|^csc(Installer)?Link$|certificate|apiKey|keychain|^identity$|azureSignOptions/i;
    const offending: string[] = [];
    const walk = (value: Json | undefined, path: string) => {
      if (Array.isArray(value)) value.forEach((item, index) => walk(item, `${path}[${index}]`));
      else if (value !== null && typeof value === 'object') {
        for (const [key, child] of Object.entries(value)) {
          if (secretKey.test(key)) offending.push(`${path}.${key}`);
          walk(child, `${path}.${key}`);
        }
      }
    };
    walk(config as Json, 'config');
    expect(offending).toEqual([]);

    const buildFiles = readdirSync(join(ROOT, 'build')).map((name) => join('build', name));
    for (const file of ['electron-builder.yml', 'electron-builder.env', ...buildFiles]) {
      const text = readFileSync(join(ROOT, file), 'utf8');
      expect(text, `${file} holds a key or certificate`).not.toMatch(/-----BEGIN [A-Z ]*(PRIVATE KEY|CERTIFICATE)-----/);
      expect(text, `${file} holds a long base64 blob`).not.toMatch(/[A-Za-z0-9+/]{120,}={0,2}/);
      expect(text, `${file} sets a signing variable`).not.toMatch(/\b(CSC_LINK|CSC_KEY_PASSWORD|APPLE_APP_SPECIFIC_PASSWORD|APPLE_API_KEY)\s*[:=]\s*\S/);
    }
    expect(buildFiles.filter((file) => /\.(p12|pfx|pem|key|cer|p8|mobileprovision)$/i.test(file))).toEqual([]);
  });

  it('publishes update metadata to a generic feed from the environment, with Windows signature checks on (docs/updates.md)', () => {
    // One generic feed, its URL only from the environment (electron-builder expands ${env.X}
    // and stops when X is unset), the default channel file (latest*.yml: the "stable" channel).
    expect(config.publish).toEqual([{ provider: 'generic', url: '${env.CLINICSYNC_UPDATE_URL}', channel: 'latest' }]);
    // electron-updater verifies a downloaded installer against the build's publisher name.
    expect(config.win?.verifyUpdateCodeSignature).toBe(true);
    // MacUpdater installs from the zip: without a zip target macOS could not update itself.
    expect(config.mac?.target.find((t) => t.target === 'zip')?.arch).toEqual(config.mac?.target.find((t) => t.target === 'dmg')?.arch);
    // The target electron-updater installs on Windows (NsisUpdater) is built.
    expect(config.win?.target.map((t) => t.target)).toContain('nsis');
  });

  it('builds without CLINICSYNC_UPDATE_URL: electron-builder.env supplies the no-feed placeholder, a set variable wins', async () => {
    // electron-builder's own loader and macro expander, as its command line runs them before a build.
    const { loadEnv } = require('app-builder-lib/out/util/config/load.js') as { loadEnv(file: string): Promise<unknown> };
    const { expandMacro } = require('app-builder-lib/out/util/macroExpander.js') as { expandMacro(pattern: string, arch: null, appInfo: object): string };
    const publishUrl = (config.publish as { url: string }[])[0]!.url;
    const saved = process.env['CLINICSYNC_UPDATE_URL'];
    const builtFeed = async (value: string | undefined) => {
      delete process.env['CLINICSYNC_UPDATE_URL'];
      if (value !== undefined) process.env['CLINICSYNC_UPDATE_URL'] = value;
      await loadEnv(join(ROOT, 'electron-builder.env'));
      return expandMacro(publishUrl, null, {});
    };
    try {
      expect(await builtFeed(undefined)).toBe(NO_FEED_URL);
      expect(await builtFeed('https://updates.example-clinic.org/clinicsync')).toBe('https://updates.example-clinic.org/clinicsync');
    } finally {
      if (saved === undefined) delete process.env['CLINICSYNC_UPDATE_URL'];
      else process.env['CLINICSYNC_UPDATE_URL'] = saved;
    }
    // What the app makes of such a build (a signed Windows one): no feed of its own, the policy's mirror works.
    const input = { platform: 'win32' as const, channel: chooseUpdateChannel({}), builtIn: { url: NO_FEED_URL, publisherName: ['Clinicsync Ltd'] }, health: EMPTY_STATE };
    expect(planUpdates(input)).toMatchObject({ enabled: false, reason: expect.stringContaining('No update feed') });
    expect(planUpdates({ ...input, policyFeedUrl: 'https://mirror.example/clinicsync/' })).toMatchObject({ enabled: true, feedSource: 'machine_policy' });
  });

  it('keeps npmRebuild off only while the SQLCipher driver is an N-API module with a prebuild per target', () => {
    // N-API binaries load in any Node or Electron of a supported N-API version, so the
    // driver's shipped prebuilds need no rebuild. A driver with V8-ABI binaries would.
    expect(config.npmRebuild).toBe(false);
    const driver = join(ROOT, 'node_modules', DRIVER);
    expect(readFileSync(join(driver, 'binding.gyp'), 'utf8')).toMatch(/NAPI_VERSION=\d+/);
    const manifest = JSON.parse(readFileSync(join(driver, 'package.json'), 'utf8')) as {
      dependencies?: Record<string, string>;
      scripts?: Record<string, string>;
    };
    expect(manifest.dependencies).toHaveProperty('node-addon-api');
    expect(manifest.scripts?.install, 'an install script would mean a build at install time').toBeUndefined();
    const prebuilds = [
      ...(config.win?.target ?? []).flatMap((t) => (t.arch ?? ['x64']).map((arch) => `win32-${arch}`)),
      ...(config.mac?.target ?? []).flatMap((t) => (t.arch ?? ['x64']).map((arch) => `darwin-${arch}`)),
      ...(config.linux?.target ?? []).flatMap((t) => (t.arch ?? ['x64']).map((arch) => `linux-${arch}`)),
    ];
    const missing = [...new Set(prebuilds)].filter((name) => !existsSync(join(driver, 'prebuilds', `${name}.node`)));
    expect(missing).toEqual([]);
  });
});

/**
 * What `npm run dist` lays over electron-builder.yml per platform (scripts/dist.ts): the
 * -UNSIGNED artifact name, forceCodeSigning, Azure Trusted Signing, the app's build info.
 * Checked with electron-builder's own config loader and validator, and against its schema.
 */
describe('the signing overrides of npm run dist', () => {
  const { getConfig, validateConfiguration } = require('app-builder-lib/out/util/config/config.js') as {
    getConfig(projectDir: string, configPath: string, configFromOptions: object): Promise<BuilderConfig>;
    validateConfiguration(config: BuilderConfig, debugLogger: object): Promise<void>;
  };
  const { DebugLogger } = require('builder-util') as { DebugLogger: new (enabled: boolean) => object };
  const { deepAssign } = require('builder-util-runtime') as { deepAssign<T>(target: T, ...objects: unknown[]): T };
  const AZURE = {
    CLINICSYNC_AZURE_SIGNING_ENDPOINT: 'https://weu.codesigning.azure.net/',
    CLINICSYNC_AZURE_SIGNING_ACCOUNT: 'example-signing',
    CLINICSYNC_AZURE_SIGNING_PROFILE: 'example-public-trust',
    CLINICSYNC_AZURE_SIGNING_PUBLISHER: 'Example Clinic Ltd',
  };
  const linuxHost = { platform: 'linux' as const, macIdentities: [] };
  const macHost = { platform: 'darwin' as const, macIdentities: [] };
  const builtAt = new Date('2026-12-07T01:00:00.000Z');
  const scenarios = {
    'Windows unsigned': signingStatus('win32', {}, linuxHost),
    'Windows, certificate': signingStatus('win32', { WIN_CSC_LINK: '/secure/win.pfx', WIN_CSC_KEY_PASSWORD: 'x' }, linuxHost),
    'Windows, Azure Trusted Signing': signingStatus('win32', AZURE, linuxHost),
    'macOS unsigned': signingStatus('darwin', {}, linuxHost),
    'macOS signed': signingStatus('darwin', { CSC_LINK: '/secure/mac.p12', CSC_INSTALLER_LINK: '/secure/installer.p12' }, macHost),
    Linux: signingStatus('linux', {}, linuxHost),
  };
  const override = (status: SigningStatus) => builderOverride({ status, artifactName: config.artifactName as string, azure: azureSignOptionsFrom(AZURE), builtAt });

  it('no target section names its own artifacts: the platform-level -UNSIGNED name must win', () => {
    const targetSections = ['nsis', 'nsisWeb', 'portable', 'msi', 'msiWrapped', 'appx', 'dmg', 'pkg', 'mas', 'deb', 'rpm', 'appImage', 'snap', 'flatpak'];
    expect(targetSections.filter((key) => config[key] !== undefined && Object.hasOwn(config[key] as object, 'artifactName'))).toEqual([]);
    for (const platform of ['win', 'mac', 'linux']) expect(config[platform]).not.toHaveProperty('artifactName');
    expect(config.artifactName).toBe('${productName}-${version}-${os}-${arch}.${ext}');
  });

  for (const [name, status] of Object.entries(scenarios)) {
    it(`${name}: electron-builder's loader merges it and its validator and schema accept the result`, async () => {
      const merged = await getConfig(ROOT, 'electron-builder.yml', override(status));
      await validateConfiguration(merged, new DebugLogger(false));
      expect(builderSchemaErrors(deepAssign(structuredClone(config), override(status)))).toBe('No errors');
      const win = merged['win'] as Record<string, unknown>;
      const mac = merged['mac'] as Record<string, unknown>;
      expect((merged['extraMetadata'] as Record<string, unknown>)['clinicsyncBuild']).toMatchObject({ signing: status.state });
      const platform = { win32: win, darwin: mac, linux: merged['linux'] as Record<string, unknown> }[status.platform];
      if (status.state === 'unsigned') expect(platform['artifactName']).toBe('${productName}-${version}-${os}-${arch}-UNSIGNED.${ext}');
      else expect(platform).not.toHaveProperty('artifactName');
      expect(platform['forceCodeSigning']).toBe(status.state === 'signed' ? true : undefined);
      // The yml's own settings survive the merge.
      expect(win['verifyUpdateCodeSignature']).toBe(true);
      expect(mac['hardenedRuntime']).toBe(true);
    });
  }

  it('Azure Trusted Signing reaches win.azureSignOptions with every field electron-builder requires', async () => {
    const merged = await getConfig(ROOT, 'electron-builder.yml', override(scenarios['Windows, Azure Trusted Signing']));
    expect((merged['win'] as Record<string, unknown>)['azureSignOptions']).toEqual({
      endpoint: 'https://weu.codesigning.azure.net/',
      codeSigningAccountName: 'example-signing',
      certificateProfileName: 'example-public-trust',
      publisherName: 'Example Clinic Ltd',
    });
    // The validator is live: an Azure block without its publisher is refused.
    const broken = override(scenarios['Windows, Azure Trusted Signing']) as { win: { azureSignOptions: Record<string, unknown> } };
    delete broken.win.azureSignOptions['publisherName'];
    const brokenMerged = await getConfig(ROOT, 'electron-builder.yml', broken);
    await expect(validateConfiguration(brokenMerged, new DebugLogger(false))).rejects.toThrow(/configuration\.win\.azureSignOptions/);
    expect(builderSchemaErrors(deepAssign(structuredClone(config), broken))).toMatch(/publisherName/);
  });
});

/**
 * The store integrity worker in a packaged app: store-integrity.ts starts it from
 * app.asar.unpacked, so every file it loads must be unpacked (electron-builder.yml asarUnpack).
 */
describe('the store integrity worker in a packaged app', () => {
  const STORE = join(ROOT, 'electron', 'store');
  /** Runtime imports of a source file: relative ones (as dist/ paths) and packages; `import type` is erased by tsc. */
  function runtimeImports(file: string): { relative: string[]; packages: string[] } {
    const text = readFileSync(file, 'utf8');
    const specifiers = [...text.matchAll(/^import\s+(?!type\s)[^;]*?from\s+'([^']+)'/gm)].map((m) => m[1]!);
    return {
      relative: specifiers.filter((s) => s.startsWith('.')).map((s) => join(dirname(file), s)),
      packages: specifiers.filter((s) => !s.startsWith('.') && !s.startsWith('node:')),
    };
  }
  const asDist = (source: string) => source.slice(ROOT.length + 1).replace(/^electron\//, 'dist/electron/').replace(/\.ts$/, '.js');

  it('unpacks the worker, every module it imports at run time, and its driver', () => {
    const closure = new Set<string>();
    const packages = new Set<string>();
    const visit = (file: string) => {
      if (closure.has(file)) return;
      closure.add(file);
      const imports = runtimeImports(file);
      imports.packages.forEach((name) => packages.add(name));
      imports.relative.forEach(visit);
    };
    visit(join(STORE, 'integrity-worker.ts'));
    expect([...closure].map(asDist).sort()).toEqual(['dist/electron/store/cipher-key.js', 'dist/electron/store/integrity-worker.js']);
    expect([...packages]).toEqual([DRIVER]);
    const unpacked = (path: string) => (config.asarUnpack ?? []).some((pattern) => minimatch(path, pattern, { dot: true }));
    const packed = (path: string) => (config.files ?? []).some((pattern) => !pattern.startsWith('!') && minimatch(path, pattern, { dot: true }));
    for (const file of [...closure].map(asDist)) expect({ file, packed: packed(file), unpacked: unpacked(file) }).toEqual({ file, packed: true, unpacked: true });
    expect(unpacked(`node_modules/${DRIVER}/lib/index.js`)).toBe(true);
  });

  it('starts the worker from app.asar.unpacked when the unpacked copy is there, from beside the module otherwise', () => {
    const resources = mkdtempSync(join(tmpdir(), 'clinicsync-resources-'));
    try {
      const moduleUrl = pathToFileURL(join(resources, 'app.asar', 'dist', 'electron', 'store', 'store-integrity.js')).href;
      const inArchive = join(resources, 'app.asar', 'dist', 'electron', 'store', 'integrity-worker.js');
      expect(fileURLToPath(integrityWorkerUrl(moduleUrl))).toBe(inArchive);
      const unpacked = join(resources, 'app.asar.unpacked', 'dist', 'electron', 'store', 'integrity-worker.js');
      mkdirSync(dirname(unpacked), { recursive: true });
      writeFileSync(unpacked, '');
      expect(fileURLToPath(integrityWorkerUrl(moduleUrl))).toBe(unpacked);
      // From source (development, tests): the .ts beside the module.
      expect(fileURLToPath(integrityWorkerUrl(pathToFileURL(join(STORE, 'store-integrity.ts')).href))).toBe(join(STORE, 'integrity-worker.ts'));
    } finally {
      rmSync(resources, { recursive: true, force: true });
    }
  });

  it('the unpacked worker, as tsc emits it, runs with nothing but app.asar.unpacked: it reads a real encrypted store', async () => {
    const resources = mkdtempSync(join(tmpdir(), 'clinicsync-resources-'));
    try {
      // The layout electron-builder leaves: app.asar.unpacked/dist/electron/store/*.js and the
      // unpacked driver under app.asar.unpacked/node_modules; no package.json in the unpacked tree.
      const unpackedStore = join(resources, 'app.asar.unpacked', 'dist', 'electron', 'store');
      mkdirSync(unpackedStore, { recursive: true });
      const options: ts.CompilerOptions = { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2023, verbatimModuleSyntax: true, rewriteRelativeImportExtensions: true };
      for (const name of ['integrity-worker', 'cipher-key']) {
        const { outputText } = ts.transpileModule(readFileSync(join(STORE, `${name}.ts`), 'utf8'), { compilerOptions: options, fileName: `${name}.ts` });
        writeFileSync(join(unpackedStore, `${name}.js`), outputText);
      }
      mkdirSync(join(resources, 'app.asar.unpacked', 'node_modules'));
      symlinkSync(join(ROOT, 'node_modules', DRIVER), join(resources, 'app.asar.unpacked', 'node_modules', DRIVER), 'dir');

      const storePath = join(resources, 'org.db');
      const key = randomBytes(32);
      const db = new Database(storePath);
      applyKey(db, key);
      db.exec('CREATE TABLE t (x TEXT); INSERT INTO t VALUES (1), (2)');
      db.close();

      const url = integrityWorkerUrl(pathToFileURL(join(resources, 'app.asar', 'dist', 'electron', 'store', 'store-integrity.js')).href);
      expect(fileURLToPath(url)).toBe(join(unpackedStore, 'integrity-worker.js'));
      const answer = await new Promise<unknown>((resolve, reject) => {
        const worker = new Worker(url, { workerData: { path: storePath, key: new Uint8Array(key) } });
        worker.once('message', resolve);
        worker.once('error', reject);
      });
      expect(answer).toEqual({ intact: true });
    } finally {
      rmSync(resources, { recursive: true, force: true });
    }
  });
});
