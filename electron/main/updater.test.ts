import { EventEmitter } from 'node:events';
import type { AppUpdater } from 'electron-updater';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { tempDir } from '../test-support/temp-dir.ts';
import type { SessionWork } from '../updates/install-gate.ts';
import { beforeInstall, EMPTY_STATE, updateHealthFile } from '../updates/update-health.ts';
import { createUpdater, type UpdaterDeps } from './updater.ts';

/**
 * The thin Electron shell of updates with Electron's dialog and electron-updater's
 * autoUpdater mocked (Electron's binary cannot run here). The logic it calls is tested on
 * its own in electron/updates/.
 */
class FakeAutoUpdater extends EventEmitter {
  currentVersion = { version: '1.3.0' };
  autoDownload = false;
  autoInstallOnAppQuit = false;
  allowDowngrade = false;
  allowPrerelease = true;
  channel: string | null = null;
  feed: unknown = null;
  configOnDisk: { value: Promise<unknown> } = { value: Promise.resolve({ url: 'https://updates.example.org/', publisherName: ['Clinicsync Ltd'] }) };
  isUpdateSupported = () => true;
  isUserWithinRollout = () => true;
  checkForUpdates = vi.fn(() => Promise.resolve(null));
  quitAndInstall = vi.fn();
  setFeedURL(options: unknown) {
    this.feed = options;
  }
}

const dirs: ReturnType<typeof tempDir>[] = [];
const stops: (() => void)[] = [];
afterEach(() => {
  for (const stop of stops.splice(0)) stop();
  for (const dir of dirs.splice(0)) dir.remove();
});

function setUp(overrides: Partial<UpdaterDeps> = {}) {
  const dir = tempDir();
  dirs.push(dir);
  const autoUpdater = new FakeAutoUpdater();
  const answers: number[] = [];
  const dialog = { showMessageBox: vi.fn(async () => ({ response: answers.shift() ?? 1, checkboxChecked: false })) };
  let work: SessionWork = { state: 'open', work: { draftNotes: 1, unsentChanges: 3 } };
  const events: { event: string; fields: Record<string, string> }[] = [];
  const beforeRestart = vi.fn(() => Promise.resolve());
  const updater = createUpdater({
    autoUpdater: autoUpdater as unknown as AppUpdater,
    dialog: dialog as unknown as UpdaterDeps['dialog'],
    dataDir: dir.path,
    platform: 'win32',
    sessionWork: () => work,
    beforeRestart,
    log: (event, fields) => events.push({ event, fields }),
    gateRecheckMs: 20,
    settleMs: 50,
    ...overrides,
  });
  stops.push(() => updater.stop());
  return { dir, autoUpdater, dialog, answers, updater, events, beforeRestart, setWork: (next: SessionWork) => (work = next), health: () => updateHealthFile(dir.path).read() };
}

describe('updater shell', () => {
  it('configures electron-updater from the plan and checks the feed', async () => {
    const { autoUpdater, updater } = setUp({ channel: 'pilot' });
    expect(await updater.start(Promise.resolve())).toEqual({ enabled: true });
    expect(autoUpdater.feed).toEqual({ provider: 'generic', url: 'https://updates.example.org/', channel: 'pilot' });
    expect({ channel: autoUpdater.channel, allowDowngrade: autoUpdater.allowDowngrade, autoDownload: autoUpdater.autoDownload, onQuit: autoUpdater.autoInstallOnAppQuit }).toEqual({
      channel: 'pilot',
      allowDowngrade: false,
      autoDownload: true,
      onQuit: true,
    });
    expect(autoUpdater.checkForUpdates).toHaveBeenCalledTimes(1);
  });

  it('stays off with its reason on an unsigned Windows build or a bad channel, and never checks', async () => {
    const unsigned = setUp();
    unsigned.autoUpdater.configOnDisk = { value: Promise.resolve({ url: 'https://updates.example.org/' }) };
    expect(await unsigned.updater.start(Promise.resolve())).toEqual({ enabled: false, reason: expect.stringContaining('unsigned') });
    expect(unsigned.autoUpdater.checkForUpdates).not.toHaveBeenCalled();
    const badChannel = setUp({ channel: 'pilot/../x' });
    expect(await badChannel.updater.start(Promise.resolve())).toEqual({ enabled: false, reason: expect.stringContaining("machine policy's update channel") });
    expect(badChannel.autoUpdater.checkForUpdates).not.toHaveBeenCalled();
  });

  it('"autoUpdate": false in the machine policy: no feed set, no check, no download, and the log says why', async () => {
    const { autoUpdater, updater, events } = setUp({ autoUpdate: false, envFeedUrl: 'https://env.example.org/' });
    autoUpdater.autoDownload = true;
    autoUpdater.autoInstallOnAppQuit = true;
    expect(await updater.start(Promise.resolve())).toEqual({ enabled: false, reason: expect.stringContaining('"autoUpdate": false') });
    expect(autoUpdater.feed).toBeNull();
    expect(autoUpdater.checkForUpdates).not.toHaveBeenCalled();
    expect({ autoDownload: autoUpdater.autoDownload, onQuit: autoUpdater.autoInstallOnAppQuit }).toEqual({ autoDownload: false, onQuit: false });
    expect(events.filter((e) => e.event.startsWith('updates_'))).toEqual([{ event: 'updates_off', fields: { reason: expect.stringContaining('machine policy turns the in-app updater off') } }]);
    // Nothing arrives later either: the gate recheck and the feed timer were never started.
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(autoUpdater.checkForUpdates).not.toHaveBeenCalled();
  });

  it("the policy's updateUrl wins over CLINICSYNC_UPDATE_URL and the build's feed, and the override is logged by name", async () => {
    const { autoUpdater, updater, events } = setUp({ policyFeedUrl: 'https://mirror.northside.example/clinicsync/', envFeedUrl: 'https://env.example.org/' });
    expect(await updater.start(Promise.resolve())).toEqual({ enabled: true });
    expect(autoUpdater.feed).toEqual({ provider: 'generic', url: 'https://mirror.northside.example/clinicsync/', channel: 'latest' });
    expect(events.find((e) => e.event === 'policy_overrides_setting')?.fields).toEqual({ setting: 'updateUrl' });
    expect(events.find((e) => e.event === 'updates_on')?.fields).toMatchObject({ feed: 'machine_policy' });
    expect(JSON.stringify(events)).not.toContain('env.example.org');

    const env = setUp({ envFeedUrl: 'https://env.example.org/' });
    await env.updater.start(Promise.resolve());
    expect(env.autoUpdater.feed).toMatchObject({ url: 'https://env.example.org/' });
    expect(env.events.find((e) => e.event === 'updates_on')?.fields).toMatchObject({ feed: 'environment' });
  });

  it('holds a downloaded update while a draft or unsent change exists, offers it once nothing is pending, and installs on "Restart now"', async () => {
    const { autoUpdater, dialog, answers, updater, setWork, beforeRestart, health } = setUp();
    await updater.start(Promise.resolve());
    autoUpdater.emit('update-downloaded', { version: '1.4.0' });
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(dialog.showMessageBox).not.toHaveBeenCalled();

    answers.push(0); // "Restart now"
    setWork({ state: 'open', work: { draftNotes: 0, unsentChanges: 0 } });
    await vi.waitFor(() => expect(autoUpdater.quitAndInstall).toHaveBeenCalledWith(false, true));
    expect(dialog.showMessageBox).toHaveBeenCalledTimes(1);
    expect(dialog.showMessageBox.mock.calls[0]?.at(0)).toMatchObject({ message: 'Clinicsync 1.4.0 is ready to install.', buttons: ['Restart now', 'Later'] });
    expect(beforeRestart).toHaveBeenCalledTimes(1);
    expect(health().pending).toMatchObject({ from: '1.3.0', to: '1.4.0', unconfirmedStarts: 0 });
  });

  it('does not restart when a note was started while the offer was on screen', async () => {
    const { autoUpdater, dialog, updater, setWork } = setUp();
    setWork({ state: 'signed_out' });
    dialog.showMessageBox.mockImplementationOnce(async () => {
      setWork({ state: 'open', work: { draftNotes: 1, unsentChanges: 1 } });
      return { response: 0, checkboxChecked: false };
    });
    await updater.start(Promise.resolve());
    autoUpdater.emit('update-downloaded', { version: '1.4.0' });
    await vi.waitFor(() => expect(dialog.showMessageBox).toHaveBeenCalledTimes(1));
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(autoUpdater.quitAndInstall).not.toHaveBeenCalled();
  });

  it('at quit, lets electron-updater install only when the gate is open (Windows/Linux)', async () => {
    const held = setUp();
    await held.updater.start(Promise.resolve());
    held.autoUpdater.emit('update-downloaded', { version: '1.4.0' });
    // Between quits, each gate recheck keeps electron-updater's own quit handler in step with the gate.
    await vi.waitFor(() => expect(held.autoUpdater.autoInstallOnAppQuit).toBe(false));
    held.autoUpdater.autoInstallOnAppQuit = true;
    held.updater.prepareForQuit();
    expect(held.autoUpdater.autoInstallOnAppQuit).toBe(false);
    expect(held.health().pending).toBeNull();

    const open = setUp({ remindAfterMs: 60_000 });
    await open.updater.start(Promise.resolve());
    open.autoUpdater.emit('update-downloaded', { version: '1.4.0' });
    await vi.waitFor(() => expect(open.dialog.showMessageBox).toHaveBeenCalledTimes(0));
    open.setWork({ state: 'signed_out' });
    open.updater.prepareForQuit();
    expect(open.autoUpdater.autoInstallOnAppQuit).toBe(true);
    expect(open.health().pending).toMatchObject({ from: '1.3.0', to: '1.4.0' });
  });

  it('confirms a new version once a session opens, and reports one that never confirmed in 3 starts', async () => {
    const first = setUp({ settleMs: 60_000 });
    updateHealthFile(first.dir.path).write(beforeInstall(EMPTY_STATE, '1.2.0', '1.3.0', new Date()));
    first.setWork({ state: 'signed_out' });
    await first.updater.start(Promise.resolve());
    expect(first.health().pending).toMatchObject({ to: '1.3.0', unconfirmedStarts: 1 });
    first.setWork({ state: 'open', work: { draftNotes: 0, unsentChanges: 0 } });
    await vi.waitFor(() => expect(first.health().pending).toBeNull(), { timeout: 3_000 });
    expect(first.events.map((e) => e.event)).toContain('update_confirmed_healthy');

    const failing = setUp();
    updateHealthFile(failing.dir.path).write({ ...beforeInstall(EMPTY_STATE, '1.2.0', '1.3.0', new Date()), pending: { from: '1.2.0', to: '1.3.0', unconfirmedStarts: 3, installRequestedAt: new Date().toISOString() } });
    await failing.updater.start(Promise.resolve());
    expect(failing.dialog.showMessageBox.mock.calls[0]?.at(0)).toMatchObject({ type: 'warning', message: 'Clinicsync 1.3.0 did not start correctly after the update (3 attempts).' });
    expect(failing.health()).toMatchObject({ recovery: { badVersion: '1.3.0' }, blocked: [{ version: '1.3.0', reason: 'failed_to_start' }] });
    expect(failing.autoUpdater.allowDowngrade).toBe(true); // so the previous release IT puts back can install
  });
});
