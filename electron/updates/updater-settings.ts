import type { AppUpdater } from 'electron-updater';
import { policyWins, type SettingSource } from '../policy/effective-settings.ts';
import type { ChosenChannel } from './channel.ts';
import { strictRollout } from './staged-rollout.ts';
import { isBlocked, type UpdateHealthState } from './update-health.ts';

/** What the app was built with (electron-builder's app-update.yml), as electron-updater reads it. */
export interface BuiltInFeed {
  url?: string | undefined;
  publisherName?: string[] | string | null | undefined;
}

export interface UpdatePlanInput {
  platform: NodeJS.Platform;
  channel: ChosenChannel;
  /** The machine policy's `autoUpdate`: false turns the in-app updater off whatever else is set. */
  autoUpdate?: boolean | undefined;
  /** The machine policy's `updateUrl` (an internal mirror): the strongest feed. */
  policyFeedUrl?: string | undefined;
  /** CLINICSYNC_UPDATE_URL in the workstation's environment: wins over the build's feed. */
  envFeedUrl?: string | undefined;
  /** null when the build has no app-update.yml (a development or unpublished build). */
  builtIn: BuiltInFeed | null;
  health: UpdateHealthState;
}

/** Where the feed URL came from, strongest first (docs/updates.md#the-feed). */
export type FeedSource = 'machine_policy' | 'environment' | 'build';

export type UpdatePlan =
  | { enabled: false; reason: string }
  | { enabled: true; feedUrl: string; feedSource: FeedSource; channel: ChosenChannel; allowDowngrade: boolean; autoInstallOnAppQuit: boolean };

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * The feed a build carries when it was made without CLINICSYNC_UPDATE_URL
 * (electron-builder.env supplies it): `.invalid` never resolves (RFC 2606), and the app
 * reads any `.invalid` feed as "this build has no feed of its own". The build still writes
 * app-update.yml, so a signed Windows build keeps the publisher name that a feed given
 * at run time (policy updateUrl) is verified against.
 */
export const NO_FEED_URL = 'https://no-update-feed.invalid/';

function isPlaceholderFeed(url: string): boolean {
  try {
    return new URL(url).hostname.endsWith('.invalid');
  } catch {
    return false;
  }
}

const FEED_SOURCE: Record<SettingSource, FeedSource> = { policy: 'machine_policy', setting: 'environment', default: 'build' };

/** The managed-settings rule (policyWins): machine policy > CLINICSYNC_UPDATE_URL > the build's own feed (absent or a placeholder: none). */
export function chooseFeed(input: Pick<UpdatePlanInput, 'policyFeedUrl' | 'envFeedUrl' | 'builtIn'>): { url: string; source: FeedSource } | null {
  const built = input.builtIn?.url;
  const chosen = policyWins<string | null>(input.policyFeedUrl || undefined, input.envFeedUrl?.trim() || undefined, built && !isPlaceholderFeed(built) ? built : null);
  return chosen.value === null ? null : { url: chosen.value, source: FEED_SOURCE[chosen.from] };
}

/**
 * Decides whether and how this workstation updates. Updates are off, with the reason, when
 * the machine policy says `"autoUpdate": false`, there is no feed, the feed is not HTTPS (plain HTTP only on loopback, for tests), or, on
 * Windows, the build carries no publisher name: electron-updater verifies the installer's
 * Authenticode signature against that name and skips the check when it is missing, so an
 * unsigned build must not install anything it downloads.
 */
export function planUpdates(input: UpdatePlanInput): UpdatePlan {
  if (input.autoUpdate === false) {
    return { enabled: false, reason: 'The machine policy turns the in-app updater off ("autoUpdate": false): IT installs new versions itself.' };
  }
  const feed = chooseFeed(input);
  if (!feed) {
    return { enabled: false, reason: 'No update feed is configured (this build has none, and neither the machine policy\'s updateUrl nor CLINICSYNC_UPDATE_URL names one).' };
  }
  let parsed: URL;
  try {
    parsed = new URL(feed.url);
  } catch {
    return { enabled: false, reason: 'The update feed URL is not a valid URL.' };
  }
  if (parsed.protocol !== 'https:' && !(parsed.protocol === 'http:' && LOOPBACK.has(parsed.hostname))) {
    return { enabled: false, reason: 'The update feed must be an https:// URL.' };
  }
  const names = input.builtIn?.publisherName;
  const publishers = (Array.isArray(names) ? names : names ? [names] : []).filter((name) => name.trim() !== '');
  if (input.platform === 'win32' && publishers.length === 0) {
    return { enabled: false, reason: 'This build is unsigned (no publisher name to verify updates against), so it does not update itself.' };
  }
  return {
    enabled: true,
    feedUrl: parsed.toString(),
    feedSource: feed.source,
    channel: input.channel,
    // Only a workstation recovering from a version that failed to start may go to an older one.
    allowDowngrade: input.health.recovery !== null,
    // macOS: Squirrel.Mac installs whatever it fetched on the next quit and cannot be held
    // back afterwards, so there the update installs only through "Restart now" (the gate).
    // Windows/Linux: electron-updater decides at quit time; the shell sets this to the gate's answer then.
    autoInstallOnAppQuit: input.platform !== 'darwin',
  };
}

export type ConfigurableUpdater = Pick<
  AppUpdater,
  'autoDownload' | 'autoInstallOnAppQuit' | 'allowDowngrade' | 'allowPrerelease' | 'channel' | 'isUpdateSupported' | 'isUserWithinRollout' | 'setFeedURL'
>;

/**
 * Applies an enabled plan to electron-updater (the real autoUpdater in the app, a real
 * NsisUpdater in the tests). Order matters: setting `channel` turns allowDowngrade on in
 * electron-updater, so allowDowngrade is set after it.
 */
export function applyUpdatePlan(
  updater: ConfigurableUpdater,
  plan: Extract<UpdatePlan, { enabled: true }>,
  health: () => UpdateHealthState,
  onInvalidStaging: (version: string) => void,
): void {
  updater.setFeedURL({ provider: 'generic', url: plan.feedUrl, channel: plan.channel.feedChannel });
  updater.channel = plan.channel.feedChannel;
  updater.allowDowngrade = plan.allowDowngrade;
  updater.allowPrerelease = false;
  updater.autoDownload = true; // downloading never interrupts anyone; installing is gated
  updater.autoInstallOnAppQuit = plan.autoInstallOnAppQuit;
  const supported = updater.isUpdateSupported;
  updater.isUpdateSupported = (info) => !isBlocked(health(), info.version) && supported(info);
  updater.isUserWithinRollout = strictRollout(updater.isUserWithinRollout, onInvalidStaging);
}
