import type { Dialog } from 'electron';
import type { AppUpdater, UpdateDownloadedEvent } from 'electron-updater';
import { AppError } from '../../shared/errors.ts';
import { chooseUpdateChannel } from '../updates/channel.ts';
import { installGate, type SessionWork } from '../updates/install-gate.ts';
import { beforeInstall, confirmHealthy, EMPTY_STATE, onStart, updateHealthFile, type StartOutcome } from '../updates/update-health.ts';
import { applyUpdatePlan, planUpdates, type BuiltInFeed } from '../updates/updater-settings.ts';

/**
 * The Electron side of updates, wiring only: electron-updater's autoUpdater and Electron's
 * dialogs to the logic in electron/updates/ (channel, install gate, health state machine,
 * staged rollout). Tested with a mocked Electron and autoUpdater (updater.test.ts).
 */
export interface UpdaterDeps {
  autoUpdater: AppUpdater;
  dialog: Pick<Dialog, 'showMessageBox'>;
  dataDir: string;
  platform: NodeJS.Platform;
  /** The machine policy's update channel (electron/policy/), if any. */
  channel?: string | undefined;
  /** The org configuration's update channel, if any. */
  orgChannel?: string | undefined;
  /** The machine policy's `autoUpdate`: false and the updater never checks, downloads or installs. */
  autoUpdate?: boolean | undefined;
  /** The machine policy's `updateUrl`; wins over `envFeedUrl` and the build's own feed. */
  policyFeedUrl?: string | undefined;
  /** CLINICSYNC_UPDATE_URL; wins over the build's own feed. */
  envFeedUrl?: string | undefined;
  /** What a restart would interrupt now (electron/updates/session-work.ts). */
  sessionWork(): SessionWork;
  /** Closes the open store cleanly before the installer replaces the app. */
  beforeRestart(): Promise<void>;
  log(event: string, fields: Record<string, string>): void;
  /** How often the feed is asked (default 4 hours). */
  checkIntervalMs?: number;
  /** While an update waits for the gate, how often the gate is asked again (default 1 minute). */
  gateRecheckMs?: number;
  /** After "Later", how long before the offer comes back (default 4 hours). */
  remindAfterMs?: number;
  /** A new version counts as healthy once a session opened, or after this long running (default 2 minutes). */
  settleMs?: number;
}

export interface Updater {
  /** The feed is checked and the gate watched from now on; returns why updates are off, if they are. */
  start(windowReady: Promise<unknown>): Promise<{ enabled: boolean; reason?: string }>;
  /** Called as the app quits (before the store closes): may the downloaded update install now? */
  prepareForQuit(): void;
  stop(): void;
}

const HOUR = 3_600_000;

export function createUpdater(deps: UpdaterDeps): Updater {
  const { autoUpdater, dialog, log } = deps;
  const running = autoUpdater.currentVersion.version;
  const file = updateHealthFile(deps.dataDir);
  let health = EMPTY_STATE; // read at start()
  let downloaded: UpdateDownloadedEvent | null = null;
  let offering = false;
  let installing = false; // quitAndInstall was called: never offer twice
  let remindAt = 0;
  const timers: ReturnType<typeof setInterval>[] = [];
  const save = (next: typeof health) => {
    health = next;
    file.write(next);
  };

  async function reportStart(outcome: StartOutcome): Promise<void> {
    if (outcome.kind === 'awaiting_confirmation') log('update_first_starts', { version: outcome.to, start: String(outcome.start) });
    if (outcome.kind === 'failed_to_start') {
      log('update_failed_to_start', { from: outcome.from, to: outcome.to, starts: String(outcome.starts) });
      await dialog.showMessageBox({
        type: 'warning',
        title: 'Clinicsync update',
        message: `Clinicsync ${outcome.to} did not start correctly after the update (${outcome.starts} attempts).`,
        detail: `This workstation will not install ${outcome.to} again, and goes back to an earlier version as soon as IT puts one on the update feed. The data on this workstation is kept. Please tell IT support.`,
      });
    }
    if (outcome.kind === 'did_not_install') {
      log('update_did_not_install', { from: outcome.from, to: outcome.to, attempts: String(outcome.attempts) });
      await dialog.showMessageBox({
        type: 'warning',
        title: 'Clinicsync update',
        message: `The update to Clinicsync ${outcome.to} did not install; this workstation still runs ${outcome.from}.`,
        detail: outcome.blocked ? `It will not try ${outcome.to} again. Please tell IT support.` : 'It will try again when the update is offered next.',
      });
    }
  }

  /** Offers "Restart now" when the gate is open; otherwise the next recheck tries again. */
  async function offerIfSafe(now = Date.now()): Promise<void> {
    if (!downloaded || offering || installing || now < remindAt) return;
    const gate = installGate(deps.sessionWork());
    if (!gate.safe) return;
    offering = true;
    try {
      const version = downloaded.version;
      const { response } = await dialog.showMessageBox({
        type: 'info',
        title: 'Clinicsync update',
        message: `Clinicsync ${version} is ready to install.`,
        detail: 'Nothing is waiting on this workstation, so it can restart now. Otherwise it installs the next time Clinicsync is closed.',
        buttons: ['Restart now', 'Later'],
        defaultId: 0,
        cancelId: 1,
      });
      if (response !== 0) {
        remindAt = Date.now() + (deps.remindAfterMs ?? 4 * HOUR);
        return;
      }
      // Someone may have started a note while the dialog was open.
      if (!installGate(deps.sessionWork()).safe) return;
      save(beforeInstall(health, running, version, new Date()));
      await deps.beforeRestart();
      log('update_installing', { from: running, to: version });
      installing = true;
      autoUpdater.quitAndInstall(false, true);
    } finally {
      offering = false;
    }
  }

  async function confirmWhenHealthy(windowReady: Promise<unknown>): Promise<void> {
    if (health.pending?.to !== running && health.recovery === null) return;
    await windowReady;
    const startedAt = Date.now();
    await new Promise<void>((resolve) => {
      const check = () => {
        if (deps.sessionWork().state !== 'signed_out' || Date.now() - startedAt >= (deps.settleMs ?? 120_000)) {
          clearInterval(timer);
          resolve();
        }
      };
      const timer = setInterval(check, 1_000);
      timers.push(timer);
      check();
    });
    save(confirmHealthy(health, running));
    log('update_confirmed_healthy', { version: running });
  }

  return {
    async start(windowReady) {
      const started = onStart(file.read(), running, new Date());
      save(started.state);
      await reportStart(started.outcome);
      void confirmWhenHealthy(windowReady).catch(() => log('update_confirm_failed', { version: running }));

      let plan: ReturnType<typeof planUpdates>;
      try {
        const channel = chooseUpdateChannel({ policyChannel: deps.channel, orgChannel: deps.orgChannel });
        plan = planUpdates({
          platform: deps.platform,
          channel,
          autoUpdate: deps.autoUpdate,
          policyFeedUrl: deps.policyFeedUrl,
          envFeedUrl: deps.envFeedUrl,
          builtIn: await builtInFeed(autoUpdater),
          health,
        });
      } catch (error) {
        plan = { enabled: false, reason: error instanceof AppError ? error.message : 'The update settings could not be read.' };
      }
      if (!plan.enabled) {
        // electron-updater does nothing until asked; these make sure nothing is fetched or installed if anything asks.
        autoUpdater.autoDownload = false;
        autoUpdater.autoInstallOnAppQuit = false;
        log('updates_off', { reason: plan.reason });
        return { enabled: false, reason: plan.reason };
      }
      if (plan.feedSource === 'machine_policy' && deps.envFeedUrl?.trim() && deps.envFeedUrl.trim() !== deps.policyFeedUrl) {
        log('policy_overrides_setting', { setting: 'updateUrl' });
      }
      applyUpdatePlan(autoUpdater, plan, () => health, (version) => log('update_staging_invalid', { version }));
      log('updates_on', { channel: plan.channel.name, source: plan.channel.source, feed: plan.feedSource, downgrade: String(plan.allowDowngrade) });

      autoUpdater.on('update-downloaded', (event) => {
        downloaded = event;
        log('update_downloaded', { version: event.version });
        void offerIfSafe();
      });
      // A download that fails its checksum or (Windows) its signature check ends here and never installs.
      autoUpdater.on('error', (error) => log('update_error', { message: error.message.slice(0, 300) }));
      const check = () => void autoUpdater.checkForUpdates().catch(() => undefined); // failures arrive as 'error'
      check();
      timers.push(setInterval(check, deps.checkIntervalMs ?? 4 * HOUR));
      timers.push(
        setInterval(() => {
          // A quit that skips prepareForQuit (OS log-off, app.quit) still follows the gate, at most one recheck old.
          if (downloaded && deps.platform !== 'darwin') autoUpdater.autoInstallOnAppQuit = installGate(deps.sessionWork()).safe;
          void offerIfSafe();
        }, deps.gateRecheckMs ?? 60_000),
      );
      return { enabled: true };
    },

    prepareForQuit() {
      if (!downloaded || deps.platform === 'darwin') return;
      const safe = installGate(deps.sessionWork()).safe;
      autoUpdater.autoInstallOnAppQuit = safe;
      if (safe) save(beforeInstall(health, running, downloaded.version, new Date()));
      log(safe ? 'update_installing_on_quit' : 'update_held_at_quit', { from: running, to: downloaded.version });
    },

    stop() {
      for (const timer of timers.splice(0)) clearInterval(timer);
    },
  };
}

/**
 * The build's app-update.yml as electron-updater itself reads it (its `configOnDisk`, kept
 * readable on purpose upstream): the same publisher names it verifies Windows signatures
 * against. null when the build has none.
 */
async function builtInFeed(updater: AppUpdater): Promise<BuiltInFeed | null> {
  const onDisk = (updater as unknown as { configOnDisk?: { value: Promise<BuiltInFeed> } }).configOnDisk;
  if (!onDisk) return null;
  return onDisk.value.catch(() => null);
}
