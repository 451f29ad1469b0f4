// Will electron-builder sign this platform's build, given the environment? Pure: the caller
// passes the environment, the build machine's OS and (on macOS) the keychain's signing
// identities. scripts/dist.ts marks every build this calls 'unsigned' (file names, a
// warning, the window title) and makes electron-builder fail a build this calls 'signed'
// that then does not get signed (forceCodeSigning), so the marking is never wrong the
// dangerous way round. docs/installers.md#signing-environment-variables-only.

export type TargetPlatform = 'win32' | 'darwin' | 'linux';
export type SigningMethod = 'certificate' | 'azure-trusted-signing' | 'keychain';

export type SigningStatus =
  | { platform: TargetPlatform; state: 'signed'; method: SigningMethod; notes: string[] }
  | { platform: TargetPlatform; state: 'unsigned'; reason: string; notes: string[] }
  | { platform: TargetPlatform; state: 'not-applicable'; reason: string; notes: string[] };

export type Env = Readonly<Record<string, string | undefined>>;

export interface BuildMachine {
  platform: NodeJS.Platform;
  /** `security find-identity -v -p codesigning` lines (macOS build machines only; [] elsewhere). */
  macIdentities: readonly string[];
}

/** A half-configured signing setup: refusing is safer than guessing which half was meant. */
export class SigningConfigError extends Error {
  override name = 'SigningConfigError';
}

/**
 * Azure Trusted Signing (electron-builder's `win.azureSignOptions`): the non-secret account
 * coordinates come from these variables; the credentials from Microsoft's own AZURE_*
 * variables (EnvironmentCredential), read by the TrustedSigning PowerShell module.
 */
export const AZURE_SIGNING_VARIABLES = {
  endpoint: 'CLINICSYNC_AZURE_SIGNING_ENDPOINT',
  codeSigningAccountName: 'CLINICSYNC_AZURE_SIGNING_ACCOUNT',
  certificateProfileName: 'CLINICSYNC_AZURE_SIGNING_PROFILE',
  publisherName: 'CLINICSYNC_AZURE_SIGNING_PUBLISHER',
} as const;

export type AzureSignOptions = { [K in keyof typeof AZURE_SIGNING_VARIABLES]: string };

/** A variable counts when it is set to something other than blanks. */
function present(env: Env, name: string): boolean {
  return (env[name] ?? '').trim() !== '';
}

/** The Azure Trusted Signing options from the environment; null when none of its variables is set. */
export function azureSignOptionsFrom(env: Env): AzureSignOptions | null {
  const entries = Object.entries(AZURE_SIGNING_VARIABLES) as [keyof AzureSignOptions, string][];
  const missing = entries.filter(([, name]) => !present(env, name)).map(([, name]) => name);
  if (missing.length === entries.length) return null;
  if (missing.length > 0) {
    throw new SigningConfigError(`Azure Trusted Signing is half configured: ${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} not set.`);
  }
  const options = Object.fromEntries(entries.map(([field, name]) => [field, (env[name] ?? '').trim()])) as AzureSignOptions;
  let endpoint: URL | undefined;
  try {
    endpoint = new URL(options.endpoint);
  } catch {
    endpoint = undefined;
  }
  if (endpoint?.protocol !== 'https:') {
    throw new SigningConfigError(`${AZURE_SIGNING_VARIABLES.endpoint} must be the account's https:// endpoint (e.g. https://weu.codesigning.azure.net/).`);
  }
  return options;
}

function windowsStatus(env: Env): SigningStatus {
  const azure = azureSignOptionsFrom(env);
  // As electron-builder's getCscLink('WIN_CSC_LINK'): WIN_CSC_LINK, once defined (even empty), wins over CSC_LINK.
  const certificateVariable = env['WIN_CSC_LINK'] !== undefined ? 'WIN_CSC_LINK' : 'CSC_LINK';
  const certificate = present(env, certificateVariable) ? certificateVariable : null;
  if (azure !== null) {
    // CSC_LINK alone may be the macOS certificate of a combined build; WIN_CSC_LINK is for Windows only.
    if (certificate === 'WIN_CSC_LINK') {
      throw new SigningConfigError('Both WIN_CSC_LINK and Azure Trusted Signing (CLINICSYNC_AZURE_SIGNING_*) are set for Windows: unset one.');
    }
    const notes = present(env, 'AZURE_TENANT_ID') && present(env, 'AZURE_CLIENT_ID')
      ? []
      : ['AZURE_TENANT_ID / AZURE_CLIENT_ID are not set: the TrustedSigning module falls back to a managed identity or an Azure CLI login.'];
    return { platform: 'win32', state: 'signed', method: 'azure-trusted-signing', notes };
  }
  if (certificate !== null) {
    // electron-builder's Windows password: WIN_CSC_KEY_PASSWORD, else CSC_KEY_PASSWORD, for either certificate variable.
    const notes = present(env, 'WIN_CSC_KEY_PASSWORD') || present(env, 'CSC_KEY_PASSWORD')
      ? []
      : [`${certificate} is set without WIN_CSC_KEY_PASSWORD or CSC_KEY_PASSWORD: electron-builder tries an empty password.`];
    return { platform: 'win32', state: 'signed', method: 'certificate', notes };
  }
  return {
    platform: 'win32',
    state: 'unsigned',
    reason: 'no Windows signing: set WIN_CSC_LINK or CSC_LINK (+ password), or the CLINICSYNC_AZURE_SIGNING_* variables',
    notes: [],
  };
}

const hasIdentity = (machine: BuildMachine, kind: string) => machine.macIdentities.some((line) => line.includes(`"${kind}:`));

function macStatus(env: Env, machine: BuildMachine): SigningStatus {
  const notarize = (present(env, 'APPLE_API_KEY') && present(env, 'APPLE_API_KEY_ID') && present(env, 'APPLE_API_ISSUER'))
    || (present(env, 'APPLE_ID') && present(env, 'APPLE_APP_SPECIFIC_PASSWORD') && present(env, 'APPLE_TEAM_ID'));
  const unsigned = (reason: string): SigningStatus => ({ platform: 'darwin', state: 'unsigned', reason, notes: [] });
  if (machine.platform !== 'darwin') {
    // electron-builder signs macOS apps only on macOS ("skipped macOS application code signing").
    return unsigned('macOS apps are signed only when built on macOS');
  }
  // Where electron-builder finds the Developer ID Application identity: a certificate file
  // (CSC_LINK, imported into a temporary keychain), a named keychain identity (CSC_NAME), or
  // the first one in the keychain unless auto-discovery is off.
  const autoDiscovery = (env['CSC_IDENTITY_AUTO_DISCOVERY'] ?? '').trim().toLowerCase() !== 'false';
  const method: SigningMethod | null = present(env, 'CSC_LINK')
    ? 'certificate'
    : present(env, 'CSC_NAME') || (autoDiscovery && hasIdentity(machine, 'Developer ID Application'))
      ? 'keychain'
      : null;
  if (method === null) {
    return unsigned(
      autoDiscovery
        ? 'no Developer ID Application identity: set CSC_LINK (+ CSC_KEY_PASSWORD) or CSC_NAME, or add one to the keychain'
        : 'CSC_IDENTITY_AUTO_DISCOVERY=false and neither CSC_LINK nor CSC_NAME is set',
    );
  }
  // The .pkg needs its own Developer ID Installer identity; a signed app in an unsigned pkg is
  // half a release, so it is refused rather than marked either way.
  const installer = present(env, 'CSC_INSTALLER_LINK') || (method === 'keychain' && hasIdentity(machine, 'Developer ID Installer'));
  if (!installer) {
    throw new SigningConfigError(
      'macOS: the app would be signed but the .pkg would not. Set CSC_INSTALLER_LINK (+ CSC_INSTALLER_KEY_PASSWORD) for the Developer ID Installer certificate, or build unsigned (unset CSC_LINK / CSC_NAME, CSC_IDENTITY_AUTO_DISCOVERY=false).',
    );
  }
  const notes = notarize ? [] : ['not notarized: set APPLE_API_KEY, APPLE_API_KEY_ID and APPLE_API_ISSUER; Gatekeeper warns about an app that is signed but not notarized.'];
  return { platform: 'darwin', state: 'signed', method, notes };
}

/** The signing outcome of one target platform's build. Throws SigningConfigError on a half-configured setup. */
export function signingStatus(platform: TargetPlatform, env: Env, machine: BuildMachine): SigningStatus {
  switch (platform) {
    case 'win32':
      return windowsStatus(env);
    case 'darwin':
      return macStatus(env, machine);
    case 'linux':
      // deb and AppImage carry no code signature electron-builder could add; their trust comes
      // from the channel (a signed apt repository, the sha512 in latest-linux.yml, a published
      // checksum). Marking every Linux build "unsigned" would make the mark meaningless.
      return {
        platform: 'linux',
        state: 'not-applicable',
        reason: 'Linux packages are not code-signed by the build; verify them by the repository signature or checksum',
        notes: [],
      };
  }
}

/** Target platforms as electron-builder names them (Platform.nodeName). */
export function asTargetPlatform(nodeName: string): TargetPlatform {
  if (nodeName === 'win32' || nodeName === 'darwin' || nodeName === 'linux') return nodeName;
  throw new SigningConfigError(`Unknown target platform "${nodeName}".`);
}

const PLATFORM_NAME: Readonly<Record<TargetPlatform, string>> = { win32: 'Windows', darwin: 'macOS', linux: 'Linux' };

/** What `npm run dist` prints before and after building; `loud` when any target is unsigned. */
export function signingReport(statuses: readonly SigningStatus[]): { loud: boolean; lines: string[] } {
  const unsigned = statuses.filter((status) => status.state === 'unsigned');
  const lines: string[] = [];
  if (unsigned.length > 0) {
    const bar = '!'.repeat(78);
    lines.push('', bar, '!!! UNSIGNED BUILD: NOT FOR DEPLOYMENT TO CLINIC WORKSTATIONS', '!!!');
    for (const status of unsigned) lines.push(`!!! ${PLATFORM_NAME[status.platform]}: ${status.reason}`);
    lines.push(
      '!!!',
      '!!! Its installers are named …-UNSIGNED.<ext>, its window title says "(unsigned build)",',
      '!!! Windows SmartScreen / macOS Gatekeeper will warn, and a Windows build cannot update itself.',
      '!!! Signing variables: docs/installers.md#signing-environment-variables-only',
      bar,
    );
  }
  lines.push('', 'Signing:');
  for (const status of statuses) {
    const what = status.state === 'signed' ? `signed (${status.method})` : `${status.state}: ${status.reason}`;
    lines.push(`  ${PLATFORM_NAME[status.platform].padEnd(8)} ${what}`);
    for (const note of status.notes) lines.push(`           note: ${note}`);
  }
  lines.push('');
  return { loud: unsigned.length > 0, lines };
}
