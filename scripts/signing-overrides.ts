// The electron-builder configuration that scripts/dist.ts lays over electron-builder.yml for
// one target platform's run, from that platform's signing status (scripts/signing-status.ts).
// Pure; test/signing-status.test.ts and test/builder-config.test.ts check it against
// electron-builder's own schema, config loader and file-name expander.
import { BUILD_INFO_KEY, type BuildInfo } from '../electron/main/build-info.ts';
import type { AzureSignOptions, SigningStatus, TargetPlatform } from './signing-status.ts';

export const UNSIGNED_SUFFIX = '-UNSIGNED';
const EXT = '.${ext}';

/** electron-builder's key for a platform's own options (PlatformSpecificBuildOptions). */
export const PLATFORM_CONFIG_KEY: Readonly<Record<TargetPlatform, 'win' | 'mac' | 'linux'>> = { win32: 'win', darwin: 'mac', linux: 'linux' };

/** `…-${arch}.${ext}` → `…-${arch}-UNSIGNED.${ext}`: the mark sits in front of the extension, where every listing shows it. */
export function unsignedArtifactName(pattern: string): string {
  if (!pattern.endsWith(EXT)) throw new Error(`artifactName "${pattern}" must end with "${EXT}" for the ${UNSIGNED_SUFFIX} mark to go before it.`);
  if (pattern.includes(UNSIGNED_SUFFIX)) throw new Error(`artifactName "${pattern}" already carries ${UNSIGNED_SUFFIX}.`);
  return `${pattern.slice(0, -EXT.length)}${UNSIGNED_SUFFIX}${EXT}`;
}

export function buildInfoOf(status: SigningStatus, builtAt: Date): BuildInfo {
  return { signing: status.state, method: status.state === 'signed' ? status.method : null, builtAt: builtAt.toISOString() };
}

export interface OverrideInput {
  status: SigningStatus;
  /** The artifactName electron-builder would otherwise use for this platform (platform's own, else top-level). */
  artifactName: string;
  /** From azureSignOptionsFrom(env); used only for a Windows build that signs with Azure Trusted Signing. */
  azure: AzureSignOptions | null;
  builtAt: Date;
}

/** The configuration laid over electron-builder.yml (deep-merged by electron-builder) for one platform's run. */
export function builderOverride({ status, artifactName, azure, builtAt }: OverrideInput): Record<string, unknown> {
  const key = PLATFORM_CONFIG_KEY[status.platform];
  // The packed package.json tells the app how it was built (electron/main/build-info.ts).
  const override: Record<string, unknown> = { extraMetadata: { [BUILD_INFO_KEY]: buildInfoOf(status, builtAt) } };
  if (status.state === 'unsigned') {
    override[key] = { artifactName: unsignedArtifactName(artifactName) };
  } else if (status.state === 'signed') {
    const platform: Record<string, unknown> = {
      // A build we call signed that electron-builder then fails to sign stops with an error
      // instead of shipping unmarked (a wrong path, a missing keychain identity, an expired login).
      forceCodeSigning: true,
    };
    if (status.method === 'azure-trusted-signing') {
      if (azure === null) throw new Error('Azure Trusted Signing was chosen without its options.');
      platform['azureSignOptions'] = { ...azure };
    }
    override[key] = platform;
  }
  return override;
}
