import type { App, BrowserWindow, BrowserWindowConstructorOptions, Session, Shell, WebContents, WebPreferences } from 'electron';
import { isAppUrl } from './app-origin.ts';
import { externalLinkTarget } from './external-links.ts';
import { APP_ORIGIN } from './ipc-protocol.ts';

/**
 * The renderer is untrusted (DESIGN §3): it gets no Node, runs in Chromium's sandbox in its
 * own JS world, and cannot load insecure content, embed webviews, run experimental web
 * features, or be navigated by dropping a file on it. A test locks every key.
 */
export const WEB_PREFERENCES = {
  contextIsolation: true,
  sandbox: true,
  nodeIntegration: false,
  nodeIntegrationInWorker: false,
  nodeIntegrationInSubFrames: false,
  webSecurity: true,
  allowRunningInsecureContent: false,
  webviewTag: false,
  experimentalFeatures: false,
  navigateOnDragDrop: false,
  safeDialogs: true,
  spellcheck: false, // the spell-check service would see what is typed (PHI)
} as const satisfies WebPreferences;

/**
 * Permissions the renderer may be granted. Empty on purpose: the UI uses no camera,
 * microphone, notifications, geolocation, clipboard-read, devices, fullscreen or
 * external-protocol launch; user-initiated copy/paste needs no permission. A future entry
 * is granted only to exactly APP_ORIGIN.
 */
export const ALLOWED_PERMISSIONS: ReadonlySet<string> = new Set();

/** The one place a BrowserWindow is built: the options always carry WEB_PREFERENCES. */
export function mainWindowOptions(preload: string): BrowserWindowConstructorOptions {
  return { width: 1280, height: 800, show: false, webPreferences: { ...WEB_PREFERENCES, preload } };
}

type ShownWindow = Pick<BrowserWindow, 'once' | 'show' | 'loadURL'>;

export async function createMainWindow<W extends ShownWindow>(
  BrowserWindowClass: new (options: BrowserWindowConstructorOptions) => W,
  preload: string,
): Promise<W> {
  const window = new BrowserWindowClass(mainWindowOptions(preload));
  window.once('ready-to-show', () => window.show());
  await window.loadURL(`${APP_ORIGIN}/index.html`);
  return window;
}

export type ExternalLinks = {
  allowedHosts: ReadonlySet<string>;
  openExternal: Shell['openExternal'];
};

type NavigationEvent = { url: string; preventDefault(): void };

/**
 * Lockdown for one web contents: it may navigate (any frame) or be redirected only within
 * exactly APP_ORIGIN; webviews are never attached; window.open and target=_blank never make
 * a window — an allow-listed https link goes to the system browser instead.
 */
export function guardWebContents(contents: Pick<WebContents, 'on' | 'setWindowOpenHandler'>, links: ExternalLinks): void {
  const stayInApp = (event: NavigationEvent): void => {
    if (!isAppUrl(event.url)) event.preventDefault();
  };
  contents.on('will-navigate', (event) => stayInApp(event));
  contents.on('will-frame-navigate', (event) => stayInApp(event)); // sub-frames too
  contents.on('will-redirect', (event) => stayInApp(event));
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    const target = externalLinkTarget(url, links.allowedHosts);
    // A failed hand-off to the OS is not the renderer's business; the URL is not logged
    // (a query string could carry PHI).
    if (target !== null) links.openExternal(target).catch(() => undefined);
    return { action: 'deny' };
  });
}

type PermissionSession = Pick<Session, 'setPermissionRequestHandler' | 'setPermissionCheckHandler' | 'setDevicePermissionHandler'>;

/** Every permission request and check is denied unless allow-listed AND asked by our origin. */
export function restrictPermissions(session: PermissionSession, allowed: ReadonlySet<string> = ALLOWED_PERMISSIONS): void {
  session.setPermissionRequestHandler((_contents, permission, callback, details) =>
    callback(allowed.has(permission) && isAppUrl(details.requestingUrl)),
  );
  session.setPermissionCheckHandler((_contents, permission, requestingOrigin) => allowed.has(permission) && isAppUrl(requestingOrigin));
  session.setDevicePermissionHandler(() => false); // HID, USB, serial: never
}

/**
 * Installs the whole lockdown; call once, after `ready` and before the first window.
 * 'web-contents-created' covers every web contents, not just the windows we build.
 */
export function installHardening(deps: { app: Pick<App, 'on'>; session: PermissionSession; links: ExternalLinks }): void {
  restrictPermissions(deps.session);
  deps.app.on('web-contents-created', (_event, contents) => guardWebContents(contents, deps.links));
}
