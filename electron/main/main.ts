import { join } from 'node:path';
import { app, BrowserWindow, dialog, ipcMain, net, protocol, safeStorage, session, shell } from 'electron';
import { AppError } from '../../shared/errors.ts';
import { createWorkstation, type Workstation } from '../workstation.ts';
import { APP_SCHEME_PRIVILEGES, handleAppProtocol } from './app-protocol.ts';
import { parseExternalHosts } from './external-links.ts';
import { createMainWindow, installHardening } from './hardening.ts';
import { registerLocalApiIpc } from './ipc.ts';
import { createSafeStorageKeystore } from './safe-storage-keystore.ts';

// Must run before `ready`: app:// behaves as a standard, secure origin for the renderer.
protocol.registerSchemesAsPrivileged([APP_SCHEME_PRIVILEGES]);

const serverUrl = process.env['CLINICSYNC_SERVER_URL'] ?? 'http://127.0.0.1:4300';
let workstation: Workstation | undefined;

async function start(): Promise<void> {
  // Configuration first: a bad value stops start-up before anything is opened.
  const allowedHosts = parseExternalHosts(process.env['CLINICSYNC_EXTERNAL_HOSTS']);
  const dataDir = process.env['CLINICSYNC_DATA_DIR'] ?? app.getPath('userData');
  const keystore = createSafeStorageKeystore({ safeStorage, dir: join(dataDir, 'keys') });
  workstation = createWorkstation({ dataDir, serverUrl, keystore });

  // Wiring only: every security decision lives in hardening.ts (tested with a mocked Electron).
  installHardening({
    app,
    session: session.defaultSession,
    links: { allowedHosts, openExternal: (url) => shell.openExternal(url) },
  });
  handleAppProtocol(protocol, net, join(app.getAppPath(), 'dist', 'renderer'));
  registerLocalApiIpc({ ipcMain, router: workstation.router, createContext: workstation.createContext });
  await createMainWindow(BrowserWindow, join(import.meta.dirname, 'preload.cjs'));
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
