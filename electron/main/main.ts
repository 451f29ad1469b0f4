import { join } from 'node:path';
import { app, BrowserWindow, dialog, ipcMain, net, protocol, safeStorage, session, shell } from 'electron';
import electronUpdater from 'electron-updater';
import { AppError } from '../../shared/errors.ts';
import { createWorkstation, type Workstation } from '../workstation.ts';
import { applyNetworkPolicy, applySessionProxy } from '../policy/apply-network.ts';
import { startAutoEnroll, type AutoEnrollment } from '../policy/auto-enroll.ts';
import { effectiveServerUrl } from '../policy/effective-settings.ts';
import { loadMachinePolicy } from '../policy/machine-policy.ts';
import { policyPath } from '../policy/policy-paths.ts';
import { APP_SCHEME_PRIVILEGES, handleAppProtocol } from './app-protocol.ts';
import { parseExternalHosts } from './external-links.ts';
import { createMainWindow, installHardening } from './hardening.ts';
import { markWindowTitles, readBuildInfo, titleMark } from './build-info.ts';
import { registerLocalApiIpc } from './ipc.ts';
import { createSafeStorageKeystore } from './safe-storage-keystore.ts';
import { sessionWorkOf } from '../updates/session-work.ts';
import { createUpdater, type Updater } from './updater.ts';
import { logTlsFailuresTo } from '../sync/transport-tls.ts';

// Must run before `ready`: app:// behaves as a standard, secure origin for the renderer.
protocol.registerSchemesAsPrivileged([APP_SCHEME_PRIVILEGES]);

let workstation: Workstation | undefined;
let enrollment: AutoEnrollment | undefined;
const logEvent = (event: string, fields: Record<string, string>) => console.warn(JSON.stringify({ event, ...fields }));
let updater: Updater | undefined;

async function start(): Promise<void> {
  // Configuration first: a bad value stops start-up before anything is opened.
  const allowedHosts = parseExternalHosts(process.env['CLINICSYNC_EXTERNAL_HOSTS']);
  // The machine policy (electron/policy/, docs/it-deployment.md): an unusable file stops start-up with its sentence.
  const policy = loadMachinePolicy(policyPath());
  const serverUrl = effectiveServerUrl(policy, process.env['CLINICSYNC_SERVER_URL'], 'http://127.0.0.1:4300', logEvent).value;
  const dataDir = process.env['CLINICSYNC_DATA_DIR'] ?? app.getPath('userData');
  applyNetworkPolicy(policy);
  logTlsFailuresTo(logEvent); // a refused certificate reads "cannot be reached" at the desk; its code goes to the log
  await applySessionProxy(session.defaultSession, policy);
  const keystore = createSafeStorageKeystore({ safeStorage, dir: join(dataDir, 'keys') });
  workstation = createWorkstation({ dataDir, serverUrl, keystore, log: logEvent, idleLockMinutes: policy?.idleLockMinutes, managedOrg: policy?.org });
  enrollment = startAutoEnroll({ workstation, policy, log: logEvent });

  // Wiring only: every security decision lives in hardening.ts (tested with a mocked Electron).
  installHardening({
    app,
    session: session.defaultSession,
    links: { allowedHosts, openExternal: (url) => shell.openExternal(url) },
  });
  handleAppProtocol(protocol, net, join(app.getAppPath(), 'dist', 'renderer'));
  registerLocalApiIpc({ ipcMain, router: workstation.router, createContext: workstation.createContext });
  // An unsigned installed build says so in its title (scripts/dist.ts, docs/installers.md).
  markWindowTitles(app, titleMark(readBuildInfo(app.getAppPath()), app.isPackaged), app.getName());
  const windowReady = createMainWindow(BrowserWindow, join(import.meta.dirname, 'preload.cjs'));

  // Updates (electron/updates/, docs/updates.md): installed only when nobody is mid-encounter.
  const desk = workstation;
  updater = createUpdater({
    autoUpdater: electronUpdater.autoUpdater,
    dialog,
    dataDir,
    platform: process.platform,
    // The machine policy's channel wins; the environment variable serves unmanaged machines.
    channel: policy?.updateChannel ?? process.env['CLINICSYNC_UPDATE_CHANNEL'],
    // Feed precedence: the policy's updateUrl, then CLINICSYNC_UPDATE_URL, then the build's; "autoUpdate": false turns it all off.
    autoUpdate: policy?.autoUpdate,
    policyFeedUrl: policy?.updateUrl,
    envFeedUrl: process.env['CLINICSYNC_UPDATE_URL'],
    sessionWork: () => sessionWorkOf(desk),
    beforeRestart: () => desk.close(),
    log: logEvent,
  });
  void updater.start(windowReady);
  await windowReady;
}

app.whenReady().then(start, () => app.quit()).catch((error: unknown) => {
  // A typed error (e.g. keystore unavailable) gets its own sentence; nothing else leaks.
  const message = error instanceof AppError ? error.message : 'Clinicsync could not start.';
  dialog.showErrorBox('Clinicsync', message);
  app.quit();
});

app.on('window-all-closed', () => {
  // Before the store closes: the gate decides whether a downloaded update installs on this quit.
  updater?.prepareForQuit();
  updater?.stop();
  enrollment?.stop();
  const closing = workstation?.close() ?? Promise.resolve();
  workstation = undefined;
  void closing.finally(() => app.quit());
});
