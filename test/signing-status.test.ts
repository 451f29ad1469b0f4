// The signing decision behind `npm run dist` (scripts/signing-status.ts) and the
// electron-builder override it produces (scripts/signing-overrides.ts). electron-builder
// cannot run here (no Electron download); its own config merge, file-name expander and
// schema are used instead (schema: test/builder-config.test.ts).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readBuildInfo, titleMark, UNSIGNED_TITLE_MARK } from '../electron/main/build-info.ts';
import { builderOverride, unsignedArtifactName } from '../scripts/signing-overrides.ts';
import {
  asTargetPlatform,
  azureSignOptionsFrom,
  signingReport,
  signingStatus,
  SigningConfigError,
  type BuildMachine,
  type Env,
  type SigningStatus,
} from '../scripts/signing-status.ts';

const require = createRequire(import.meta.url);
const { expandMacro } = require('app-builder-lib/out/util/macroExpander.js') as {
  expandMacro(pattern: string, arch: string | null, appInfo: object, extra: Record<string, string>): string;
};
const { deepAssign } = require('builder-util-runtime') as { deepAssign<T>(target: T, ...objects: unknown[]): T };

const linuxHost: BuildMachine = { platform: 'linux', macIdentities: [] };
const windowsHost: BuildMachine = { platform: 'win32', macIdentities: [] };
const APP_IDENTITY = '  1) 3F2A…C0 "Developer ID Application: Example Clinic Ltd (AB12CD34EF)"';
const INSTALLER_IDENTITY = '  2) 9B1E…77 "Developer ID Installer: Example Clinic Ltd (AB12CD34EF)"';
const macHost = (...identities: string[]): BuildMachine => ({ platform: 'darwin', macIdentities: [...identities, '     2 valid identities found'] });
const AZURE: Env = {
  CLINICSYNC_AZURE_SIGNING_ENDPOINT: 'https://weu.codesigning.azure.net/',
  CLINICSYNC_AZURE_SIGNING_ACCOUNT: 'example-signing',
  CLINICSYNC_AZURE_SIGNING_PROFILE: 'example-public-trust',
  CLINICSYNC_AZURE_SIGNING_PUBLISHER: 'Example Clinic Ltd',
};
const state = (status: SigningStatus) => (status.state === 'signed' ? `signed:${status.method}` : status.state);

describe('Windows signing', () => {
  it('is unsigned without a certificate or Azure Trusted Signing, and blank variables do not count', () => {
    const status = signingStatus('win32', {}, windowsHost);
    expect(status).toMatchObject({ state: 'unsigned', reason: expect.stringContaining('WIN_CSC_LINK') });
    expect(state(signingStatus('win32', { CSC_LINK: '  ' }, windowsHost))).toBe('unsigned');
    // electron-builder takes WIN_CSC_LINK once it is defined, even empty: an empty one switches CSC_LINK off for Windows.
    expect(state(signingStatus('win32', { CSC_LINK: '/secure/win.pfx', WIN_CSC_LINK: '' }, windowsHost))).toBe('unsigned');
  });

  it('is signed with a certificate from WIN_CSC_LINK or CSC_LINK, on any build machine, and notes a missing password', () => {
    expect(signingStatus('win32', { WIN_CSC_LINK: '/secure/win.pfx', WIN_CSC_KEY_PASSWORD: 'x' }, linuxHost)).toEqual({
      platform: 'win32',
      state: 'signed',
      method: 'certificate',
      notes: [],
    });
    const noPassword = signingStatus('win32', { CSC_LINK: '/secure/win.pfx' }, windowsHost);
    expect(state(noPassword)).toBe('signed:certificate');
    expect(noPassword.notes).toEqual([expect.stringContaining('CSC_LINK is set without WIN_CSC_KEY_PASSWORD or CSC_KEY_PASSWORD')]);
    expect(signingStatus('win32', { WIN_CSC_LINK: '/secure/win.pfx', CSC_KEY_PASSWORD: 'x' }, linuxHost).notes).toEqual([]);
  });

  it('is signed with Azure Trusted Signing when all four CLINICSYNC_AZURE_SIGNING_* variables are set', () => {
    expect(azureSignOptionsFrom(AZURE)).toEqual({
      endpoint: 'https://weu.codesigning.azure.net/',
      codeSigningAccountName: 'example-signing',
      certificateProfileName: 'example-public-trust',
      publisherName: 'Example Clinic Ltd',
    });
    expect(azureSignOptionsFrom({})).toBeNull();
    const withoutCredentials = signingStatus('win32', AZURE, windowsHost);
    expect(state(withoutCredentials)).toBe('signed:azure-trusted-signing');
    expect(withoutCredentials.notes).toEqual([expect.stringContaining('managed identity')]);
    const withCredentials = signingStatus('win32', { ...AZURE, AZURE_TENANT_ID: 't', AZURE_CLIENT_ID: 'c', AZURE_CLIENT_SECRET: 's' }, windowsHost);
    expect(withCredentials.notes).toEqual([]);
    // CSC_LINK may be the macOS certificate of a combined build: Azure signs Windows.
    expect(state(signingStatus('win32', { ...AZURE, CSC_LINK: '/secure/mac.p12' }, windowsHost))).toBe('signed:azure-trusted-signing');
  });

  it('refuses half-configured Azure Trusted Signing, a non-https endpoint, and Azure together with WIN_CSC_LINK', () => {
    const { CLINICSYNC_AZURE_SIGNING_PROFILE: _profile, CLINICSYNC_AZURE_SIGNING_PUBLISHER: _publisher, ...partial } = AZURE;
    expect(() => signingStatus('win32', partial, windowsHost)).toThrow(SigningConfigError);
    expect(() => signingStatus('win32', partial, windowsHost)).toThrow(
      'Azure Trusted Signing is half configured: CLINICSYNC_AZURE_SIGNING_PROFILE, CLINICSYNC_AZURE_SIGNING_PUBLISHER are not set.',
    );
    expect(() => azureSignOptionsFrom({ ...AZURE, CLINICSYNC_AZURE_SIGNING_ENDPOINT: 'http://weu.codesigning.azure.net/' })).toThrow(/must be the account's https:\/\/ endpoint/);
    expect(() => azureSignOptionsFrom({ ...AZURE, CLINICSYNC_AZURE_SIGNING_ENDPOINT: 'weu' })).toThrow(SigningConfigError);
    expect(() => signingStatus('win32', { ...AZURE, WIN_CSC_LINK: '/secure/win.pfx' }, windowsHost)).toThrow(/Both WIN_CSC_LINK and Azure/);
  });
});

describe('macOS signing', () => {
  it('is unsigned when not built on macOS, whatever the variables say', () => {
    const status = signingStatus('darwin', { CSC_LINK: '/secure/mac.p12', CSC_INSTALLER_LINK: '/secure/installer.p12' }, linuxHost);
    expect(status).toMatchObject({ state: 'unsigned', reason: 'macOS apps are signed only when built on macOS' });
  });

  it('is signed from certificate files (app + installer), noting a missing notarization', () => {
    const env = { CSC_LINK: '/secure/mac.p12', CSC_INSTALLER_LINK: '/secure/installer.p12' };
    const status = signingStatus('darwin', env, macHost());
    expect(state(status)).toBe('signed:certificate');
    expect(status.notes).toEqual([expect.stringContaining('not notarized')]);
    const notarized = signingStatus('darwin', { ...env, APPLE_API_KEY: '/secure/key.p8', APPLE_API_KEY_ID: 'K', APPLE_API_ISSUER: 'I' }, macHost());
    expect(notarized.notes).toEqual([]);
    expect(signingStatus('darwin', { ...env, APPLE_ID: 'a@b.c', APPLE_APP_SPECIFIC_PASSWORD: 'p', APPLE_TEAM_ID: 'T' }, macHost()).notes).toEqual([]);
  });

  it("is signed from the keychain's Developer ID identities, unless auto-discovery is off", () => {
    expect(state(signingStatus('darwin', {}, macHost(APP_IDENTITY, INSTALLER_IDENTITY)))).toBe('signed:keychain');
    expect(state(signingStatus('darwin', { CSC_NAME: 'Example Clinic Ltd (AB12CD34EF)' }, macHost(INSTALLER_IDENTITY)))).toBe('signed:keychain');
    expect(signingStatus('darwin', { CSC_IDENTITY_AUTO_DISCOVERY: 'false' }, macHost(APP_IDENTITY, INSTALLER_IDENTITY))).toMatchObject({
      state: 'unsigned',
      reason: expect.stringContaining('CSC_IDENTITY_AUTO_DISCOVERY=false'),
    });
    expect(signingStatus('darwin', {}, macHost())).toMatchObject({ state: 'unsigned', reason: expect.stringContaining('no Developer ID Application') });
  });

  it('refuses a signed app in an unsigned .pkg', () => {
    expect(() => signingStatus('darwin', {}, macHost(APP_IDENTITY))).toThrow(/the \.pkg would not/);
    // A certificate file goes into a temporary keychain: the login keychain's installer identity is not used.
    expect(() => signingStatus('darwin', { CSC_LINK: '/secure/mac.p12' }, macHost(INSTALLER_IDENTITY))).toThrow(SigningConfigError);
  });
});

describe('Linux and the report', () => {
  it('Linux packages are never code-signed by the build: not applicable, whatever the environment', () => {
    for (const env of [{}, { CSC_LINK: '/secure/x.p12' }, AZURE]) {
      expect(signingStatus('linux', env, linuxHost)).toMatchObject({ state: 'not-applicable', reason: expect.stringContaining('checksum') });
    }
    expect(asTargetPlatform('linux')).toBe('linux');
    expect(() => asTargetPlatform('aix')).toThrow('Unknown target platform "aix".');
  });

  it('is loud about every unsigned target and quiet when none is', () => {
    const unsignedWin = signingStatus('win32', {}, linuxHost);
    const linux = signingStatus('linux', {}, linuxHost);
    const loud = signingReport([unsignedWin, linux]);
    expect(loud.loud).toBe(true);
    const text = loud.lines.join('\n');
    expect(text).toContain('UNSIGNED BUILD');
    expect(text).toContain(`Windows: ${unsignedWin.state === 'unsigned' ? unsignedWin.reason : ''}`);
    expect(text).toMatch(/Linux\s+not-applicable/);
    const quiet = signingReport([signingStatus('win32', AZURE, windowsHost), linux]);
    expect(quiet.loud).toBe(false);
    expect(quiet.lines.join('\n')).not.toContain('UNSIGNED');
    expect(quiet.lines.join('\n')).toContain('signed (azure-trusted-signing)');
  });
});

describe('the electron-builder override', () => {
  const PATTERN = '${productName}-${version}-${os}-${arch}.${ext}';
  const appInfo = { productName: 'Clinicsync', productFilename: 'Clinicsync', sanitizedProductName: 'Clinicsync', version: '0.1.0', buildVersion: '0.1.0' };
  const builtAt = new Date('2026-12-07T01:00:00.000Z');

  it('marks an unsigned artifact name in front of the extension, as electron-builder expands it', () => {
    const marked = unsignedArtifactName(PATTERN);
    expect(marked).toBe('${productName}-${version}-${os}-${arch}-UNSIGNED.${ext}');
    expect(expandMacro(marked, 'x64', appInfo, { os: 'win', ext: 'exe' })).toBe('Clinicsync-0.1.0-win-x64-UNSIGNED.exe');
    expect(expandMacro(marked, 'arm64', appInfo, { os: 'mac', ext: 'pkg' })).toBe('Clinicsync-0.1.0-mac-arm64-UNSIGNED.pkg');
    expect(() => unsignedArtifactName('${productName}-${version}')).toThrow(/must end with/);
    expect(() => unsignedArtifactName(marked)).toThrow(/already carries -UNSIGNED/);
  });

  it('an unsigned build: the marked name for that platform only, and the app is told', () => {
    const status = signingStatus('win32', {}, linuxHost);
    expect(builderOverride({ status, artifactName: PATTERN, azure: null, builtAt })).toEqual({
      extraMetadata: { clinicsyncBuild: { signing: 'unsigned', method: null, builtAt: '2026-12-07T01:00:00.000Z' } },
      win: { artifactName: '${productName}-${version}-${os}-${arch}-UNSIGNED.${ext}' },
    });
    const mac = builderOverride({ status: signingStatus('darwin', {}, linuxHost), artifactName: PATTERN, azure: null, builtAt });
    expect(Object.keys(mac)).toEqual(['extraMetadata', 'mac']);
  });

  it('a signed build must be signed (forceCodeSigning); Azure Trusted Signing gets its options', () => {
    const azure = azureSignOptionsFrom(AZURE);
    const status = signingStatus('win32', AZURE, windowsHost);
    expect(builderOverride({ status, artifactName: PATTERN, azure, builtAt })).toEqual({
      extraMetadata: { clinicsyncBuild: { signing: 'signed', method: 'azure-trusted-signing', builtAt: '2026-12-07T01:00:00.000Z' } },
      win: { forceCodeSigning: true, azureSignOptions: azure },
    });
    const certificate = signingStatus('win32', { CSC_LINK: '/secure/win.pfx', CSC_KEY_PASSWORD: 'x' }, windowsHost);
    expect(builderOverride({ status: certificate, artifactName: PATTERN, azure: null, builtAt })).toMatchObject({ win: { forceCodeSigning: true } });
    expect(builderOverride({ status: certificate, artifactName: PATTERN, azure: null, builtAt })['win']).not.toHaveProperty('azureSignOptions');
    expect(() => builderOverride({ status, artifactName: PATTERN, azure: null, builtAt })).toThrow(/without its options/);
    // Linux: nothing to force or mark, only the build info.
    expect(builderOverride({ status: signingStatus('linux', {}, linuxHost), artifactName: PATTERN, azure: null, builtAt })).toEqual({
      extraMetadata: { clinicsyncBuild: { signing: 'not-applicable', method: null, builtAt: '2026-12-07T01:00:00.000Z' } },
    });
  });

  it('what the override injects into package.json is what the packaged app reads back', () => {
    const dir = mkdtempSync(join(tmpdir(), 'clinicsync-build-info-'));
    try {
      for (const status of [signingStatus('win32', {}, linuxHost), signingStatus('win32', AZURE, windowsHost)]) {
        const override = builderOverride({ status, artifactName: PATTERN, azure: azureSignOptionsFrom(AZURE), builtAt });
        // As electron-builder does: the packed package.json is the project's with extraMetadata deep-assigned.
        writeFileSync(join(dir, 'package.json'), JSON.stringify(deepAssign({ name: 'clinicsync', version: '0.1.0' }, override['extraMetadata'])));
        const info = readBuildInfo(dir);
        expect(info).toEqual({ signing: status.state, method: status.state === 'signed' ? status.method : null, builtAt: '2026-12-07T01:00:00.000Z' });
        expect(titleMark(info, true)).toBe(status.state === 'unsigned' ? UNSIGNED_TITLE_MARK : '');
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
