import { join } from 'node:path';
import { app, BrowserWindow, dialog, ipcMain, net, protocol, safeStorage, session } from 'electron';
import { AppError } from '../../shared/errors.ts';
import { createWorkstation, type Workstation } from '../workstation.ts';
import { handleAppProtocol } from './app-protocol.ts';
import { registerLocalApiIpc } from './ipc.ts';
import { APP_ORIGIN, APP_SCHEME } from './ipc-protocol.ts';
import { createSafeStorageKeystore } from './safe-storage-keystore.ts';

// Must run before `ready`: app:// behaves as a standard, secure origin for the renderer.
protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } }]);

const serverUrl = process.env['CLINICSYNC_SERVER_URL'] ?? 'http://127.0.0.1:4300';
let workstation: Workstation | undefined;

// Every web contents (windows, devtools-opened frames) gets the same lockdown.
app.on('web-contents-created', (_event, contents) => {
  contents.on('will-navigate', (event) => event.preventDefault());
  contents.on('will-redirect', (event) => event.preventDefault());
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
});

async function start(): Promise<void> {
  const dataDir = process.env['CLINICSYNC_DATA_DIR'] ?? app.getPath('userData');
  const keystore = createSafeStorageKeystore({ safeStorage, dir: join(dataDir, 'keys') });
  workstation = createWorkstation({ dataDir, serverUrl, keystore });

  session.defaultSession.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.defaultSession.setPermissionCheckHandler(() => false);
  handleAppProtocol(protocol, net, join(app.getAppPath(), 'dist', 'renderer'));
  registerLocalApiIpc({ ipcMain, router: workstation.router, createContext: workstation.createContext });

  const window = new BrowserWindow({
    width: 1280,
    height: 800,
    show: false,
    webPreferences: {
      preload: join(import.meta.dirname, 'preload.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      webviewTag: false,
      spellcheck: false,
    },
  });
  window.once('ready-to-show', () => window.show());
  await window.loadURL(`${APP_ORIGIN}/index.html`);
}

app.whenReady().then(start, () => app.quit()).catch((error: unknown) => {
  // A typed error (e.g. keystore unavailable) gets its own sentence; nothing else leaks.
  const message = error instanceof AppError ? error.message : 'Clinicsync could not start.';
  dialog.showErrorBox('Clinicsync', message);
  app.quit();
});

app.on('window-all-closed', () => {
  const closing = workstation?.close() ?? Promise.resolve();
  workstation = undefined;
  void closing.finally(() => app.quit());
});
