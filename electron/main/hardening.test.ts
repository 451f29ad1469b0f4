// Electron's binary cannot run here, so its API is mocked at the edge (app, BrowserWindow,
// web contents, session, shell, protocol, net) and the REAL hardening code is driven through
// it: the window is built by createMainWindow, the lockdown by installHardening, the CSP by
// the real app:// protocol handler. Any weakened preference, header or check fails a test.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BrowserWindow, BrowserWindowConstructorOptions, HandlerDetails, Net, Protocol } from 'electron';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AppError } from '../../shared/errors.ts';
import { CONTENT_SECURITY_POLICY } from '../host/security.ts';
import { tempDir } from '../test-support/temp-dir.ts';
import { APP_SCHEME_PRIVILEGES, handleAppProtocol } from './app-protocol.ts';
import { externalLinkTarget, parseExternalHosts } from './external-links.ts';
import { ALLOWED_PERMISSIONS, createMainWindow, guardWebContents, installHardening, restrictPermissions } from './hardening.ts';

type Listener = (...args: unknown[]) => void;

/** Just enough of an EventEmitter to record what the real code subscribes to. */
class FakeEmitter {
  readonly listeners = new Map<string, Listener[]>();
  on(event: string, listener: Listener): this {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), listener]);
    return this;
  }
  once(event: string, listener: Listener): this {
    return this.on(event, listener);
  }
  emit(event: string, ...args: unknown[]): void {
    for (const listener of this.listeners.get(event) ?? []) listener(...args);
  }
}

class FakeWebContents extends FakeEmitter {
  windowOpenHandler: ((details: HandlerDetails) => { action: string }) | undefined;
  setWindowOpenHandler(handler: (details: HandlerDetails) => { action: string }): void {
    this.windowOpenHandler = handler;
  }
  /** Fires a navigation-style event the way Electron does; true when the code prevented it. */
  attempt(event: string, url: string): boolean {
    let prevented = false;
    this.emit(event, { url, isMainFrame: event !== 'will-frame-navigate', preventDefault: () => (prevented = true) }, url);
    return prevented;
  }
  open(url: string): { action: string } {
    if (!this.windowOpenHandler) throw new Error('no window-open handler installed');
    return this.windowOpenHandler({ url, frameName: '', features: '', disposition: 'foreground-tab', referrer: { url: '', policy: 'no-referrer' } });
  }
}

const app = new FakeEmitter();
const windows: FakeBrowserWindow[] = [];

/** Like Electron: constructing a window creates its web contents and emits web-contents-created. */
class FakeBrowserWindow extends FakeEmitter {
  readonly options: BrowserWindowConstructorOptions;
  readonly webContents = new FakeWebContents();
  loadedUrls: string[] = [];
  shown = false;
  constructor(options: BrowserWindowConstructorOptions) {
    super();
    this.options = options;
    windows.push(this);
    app.emit('web-contents-created', {}, this.webContents);
  }
  show(): void {
    this.shown = true;
  }
  async loadURL(url: string): Promise<void> {
    this.loadedUrls.push(url);
  }
}

type PermissionRequest = (contents: unknown, permission: string, callback: (granted: boolean) => void, details: { requestingUrl: string }) => void;
type PermissionCheck = (contents: unknown, permission: string, origin: string) => boolean;

function fakeSession() {
  const handlers: { request?: PermissionRequest; check?: PermissionCheck; device?: () => boolean } = {};
  return {
    handlers,
    setPermissionRequestHandler: (handler: PermissionRequest) => void (handlers.request = handler),
    setPermissionCheckHandler: (handler: PermissionCheck) => void (handlers.check = handler),
    setDevicePermissionHandler: (handler: () => boolean) => void (handlers.device = handler),
  };
}

const ALLOWED_HOSTS = new Set(['help.clinicsync.example']);
const openExternal = vi.fn(async (_url: string) => undefined);
let session: ReturnType<typeof fakeSession>;

beforeEach(() => {
  app.listeners.clear();
  windows.length = 0;
  openExternal.mockClear();
  session = fakeSession();
  installHardening({ app: app as never, session: session as never, links: { allowedHosts: ALLOWED_HOSTS, openExternal } });
});

/** The fake, typed as the slice of BrowserWindow that createMainWindow uses (overloaded `once`). */
const BrowserWindowMock = FakeBrowserWindow as unknown as new (
  options: BrowserWindowConstructorOptions,
) => FakeBrowserWindow & Pick<BrowserWindow, 'once' | 'show' | 'loadURL'>;

async function mainWindow(): Promise<FakeBrowserWindow> {
  return createMainWindow(BrowserWindowMock, '/opt/clinicsync/preload.cjs');
}

/** Look-alikes of app://renderer that must never be treated as our origin. */
const LOOK_ALIKES = [
  'app://renderer.evil/index.html',
  'app://renderer@evil/index.html',
  'app://evil@renderer/index.html',
  'app://renderer:8080/index.html',
  'app://renderer\\@evil/',
  'app://RENDERER/index.html',
  'app:///renderer/index.html',
  'app://other/index.html',
  'https://app.renderer/index.html',
  'https://renderer/index.html',
  'file:///etc/passwd',
  'javascript:alert(1)',
  'not a url',
  '',
];

describe('BrowserWindow webPreferences', () => {
  it('every window is built through createMainWindow with the locked preferences', async () => {
    const window = await mainWindow();
    expect(windows).toHaveLength(1);
    for (const each of windows) {
      // Written out in full on purpose: changing any key must change this test too.
      expect(each.options.webPreferences).toStrictEqual({
        preload: '/opt/clinicsync/preload.cjs',
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
        spellcheck: false,
      });
      expect(each.options.show).toBe(false);
    }
    expect(window.loadedUrls).toEqual(['app://renderer/index.html']);
    expect(window.shown).toBe(false);
    window.emit('ready-to-show');
    expect(window.shown).toBe(true);
    // The window's own web contents got the lockdown while it was being constructed.
    expect(window.webContents.windowOpenHandler).toBeDefined();
  });

  it('no other main-process file builds a window, view or its own webPreferences', () => {
    const dir = fileURLToPath(new URL('.', import.meta.url));
    const electronDir = join(dir, '..');
    const offenders: string[] = [];
    const walk = (path: string): void => {
      for (const entry of readdirSync(path, { withFileTypes: true })) {
        const full = join(path, entry.name);
        if (entry.isDirectory()) walk(full);
        else if (/\.c?ts$/.test(entry.name) && !entry.name.includes('.test.')) {
          const text = readFileSync(full, 'utf8');
          const rel = relative(electronDir, full);
          if (/new\s+(?:BrowserWindow|BrowserView|WebContentsView)\b/.test(text)) offenders.push(`${rel}: constructs a window/view`);
          if (rel !== join('main', 'hardening.ts') && /webPreferences\s*:/.test(text)) offenders.push(`${rel}: sets webPreferences`);
        }
      }
    };
    walk(electronDir);
    expect(offenders).toEqual([]);
  });

  it('app:// is registered without bypassCSP or any other extra privilege (code cache is a speed one)', () => {
    expect(APP_SCHEME_PRIVILEGES).toStrictEqual({ scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true } });
  });
});

describe('navigation lockdown on every web contents', () => {
  const events = ['will-navigate', 'will-frame-navigate', 'will-redirect'];

  it('allows exactly app://renderer and prevents every look-alike', async () => {
    const { webContents } = await mainWindow();
    // A web contents Electron creates on its own (e.g. devtools) is guarded the same way.
    const other = new FakeWebContents();
    app.emit('web-contents-created', {}, other);
    for (const contents of [webContents, other]) {
      for (const event of events) {
        for (const url of ['app://renderer/index.html', 'app://renderer/', 'app://renderer/index.html#/schedule']) {
          expect(contents.attempt(event, url), `${event} ${url}`).toBe(false);
        }
        for (const url of [...LOOK_ALIKES, 'https://help.clinicsync.example/']) {
          expect(contents.attempt(event, url), `${event} ${url}`).toBe(true);
        }
      }
      expect(contents.attempt('will-attach-webview', 'app://renderer/index.html')).toBe(true);
    }
  });
});

describe('window.open', () => {
  it('never opens a window; hands only allow-listed https links to the system browser', async () => {
    const { webContents } = await mainWindow();
    const refused = [
      'app://renderer/index.html',
      ...LOOK_ALIKES,
      'http://help.clinicsync.example/',
      'https://help.clinicsync.example:8443/',
      'https://user@help.clinicsync.example/',
      'https://help.clinicsync.example@evil.example/',
      'https://evil.example/help.clinicsync.example',
      'https://help.clinicsync.example.evil.example/',
      'https://docs.help.clinicsync.example/',
      'mailto:someone@help.clinicsync.example',
    ];
    for (const url of refused) expect(webContents.open(url), url).toEqual({ action: 'deny' });
    expect(openExternal).not.toHaveBeenCalled();

    expect(webContents.open('https://HELP.clinicsync.example:443/guide?x=1')).toEqual({ action: 'deny' });
    // The normalised URL is what goes out, not the raw string.
    expect(openExternal.mock.calls).toEqual([['https://help.clinicsync.example/guide?x=1']]);
  });

  it('a failing hand-off to the OS stays inside the main process', async () => {
    // A plain function, not vi.fn: a spy attaches its own handler to the promise it returns.
    const calls: string[] = [];
    const contents = new FakeWebContents();
    guardWebContents(contents as never, {
      allowedHosts: ALLOWED_HOSTS,
      openExternal: async (url: string) => {
        calls.push(url);
        throw new Error('no browser');
      },
    });
    const unhandled: unknown[] = [];
    const record = (reason: unknown) => void unhandled.push(reason);
    process.on('unhandledRejection', record);
    try {
      expect(contents.open('https://help.clinicsync.example/')).toEqual({ action: 'deny' });
      expect(calls).toEqual(['https://help.clinicsync.example/']);
      // Node reports unhandled rejections once the microtask queue has drained; two
      // macrotask turns are enough for it to have spoken.
      for (let turn = 0; turn < 2; turn += 1) await new Promise((done) => setImmediate(done));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', record);
    }
  });
});

describe('permissions', () => {
  const asked = ['media', 'notifications', 'geolocation', 'clipboard-read', 'clipboard-sanitized-write', 'openExternal', 'fullscreen', 'hid', 'unknown'];

  it('the allow-list is empty and every request, check and device is denied', () => {
    expect(ALLOWED_PERMISSIONS.size).toBe(0);
    for (const permission of asked) {
      let granted: boolean | undefined;
      session.handlers.request!({}, permission, (answer) => (granted = answer), { requestingUrl: 'app://renderer/index.html' });
      expect(granted, permission).toBe(false);
      expect(session.handlers.check!({}, permission, 'app://renderer'), permission).toBe(false);
    }
    expect(session.handlers.device!()).toBe(false);
  });

  it('an allow-listed permission would still be granted only to exactly our origin', () => {
    const custom = fakeSession();
    restrictPermissions(custom as never, new Set(['clipboard-sanitized-write']));
    expect(custom.handlers.check!({}, 'clipboard-sanitized-write', 'app://renderer')).toBe(true);
    expect(custom.handlers.check!({}, 'media', 'app://renderer')).toBe(false);
    for (const origin of LOOK_ALIKES) {
      expect(custom.handlers.check!({}, 'clipboard-sanitized-write', origin), origin).toBe(false);
      let granted: boolean | undefined;
      custom.handlers.request!({}, 'clipboard-sanitized-write', (answer) => (granted = answer), { requestingUrl: origin });
      expect(granted, origin).toBe(false);
    }
  });
});

describe('external link allow-list', () => {
  it('parses bare host names and refuses anything else with a typed error', () => {
    expect([...parseExternalHosts(undefined)]).toEqual([]);
    expect([...parseExternalHosts(' help.clinicsync.example , status.clinicsync.example ,')]).toEqual([
      'help.clinicsync.example',
      'status.clinicsync.example',
    ]);
    for (const bad of ['https://help.example', '*.example.org', 'Help.example.org', 'help.example.org:443', 'user@help.example.org', 'localhost', 'help.example.org/path']) {
      const error = (() => {
        try {
          parseExternalHosts(bad);
        } catch (caught) {
          return caught;
        }
        return undefined;
      })();
      expect(error, bad).toBeInstanceOf(AppError);
      expect((error as AppError).code).toBe('VALIDATION');
      expect((error as AppError).message).not.toContain(bad);
    }
  });

  it('an empty allow-list opens nothing', () => {
    expect(externalLinkTarget('https://help.clinicsync.example/', new Set())).toBeNull();
  });
});

describe('CSP from the app:// protocol handler', () => {
  let dir: ReturnType<typeof tempDir>;
  let handler: (request: Request) => Promise<Response>;

  beforeEach(() => {
    dir = tempDir();
    mkdirSync(join(dir.path, 'assets'));
    writeFileSync(join(dir.path, 'index.html'), '<!doctype html><title>x</title>');
    writeFileSync(join(dir.path, 'assets', 'app.js'), 'export {};');
    const protocol = { handle: (_scheme: string, h: typeof handler) => void (handler = h) };
    // net.fetch of a file:// URL, served from the real files.
    const net = {
      fetch: async (url: string) => {
        try {
          return new Response(readFileSync(fileURLToPath(url)));
        } catch {
          return new Response(null, { status: 404 });
        }
      },
    };
    handleAppProtocol(protocol as unknown as Pick<Protocol, 'handle'>, net as unknown as Pick<Net, 'fetch'>, dir.path);
  });
  afterEach(() => dir.remove());

  const directives = (csp: string): Map<string, string[]> =>
    new Map(csp.split(';').map((part) => part.trim().split(/\s+/)).filter((tokens) => tokens[0]).map(([name, ...values]) => [name!, values]));

  it('every response — page, asset, SPA route, 404, traversal, foreign host — carries the one strict CSP', async () => {
    const urls = [
      'app://renderer/index.html',
      'app://renderer/assets/app.js',
      'app://renderer/schedule',
      'app://renderer/missing.js',
      'app://renderer/..%2f..%2fetc/passwd',
      'app://renderer/%E0%A4%A',
      'app://evil/index.html',
    ];
    const statuses: number[] = [];
    for (const url of urls) {
      const response = await handler(new Request(url));
      statuses.push(response.status);
      const csp = response.headers.get('content-security-policy');
      // One definition, shared with the browser-mode host (electron/host/security.ts).
      expect(csp, url).toBe(CONTENT_SECURITY_POLICY);
      expect(response.headers.get('x-content-type-options'), url).toBe('nosniff');
    }
    expect(statuses).toEqual([200, 200, 200, 404, 404, 404, 404]);

    const policy = directives(CONTENT_SECURITY_POLICY);
    expect(policy.get('default-src')).toEqual(["'self'"]);
    expect(policy.get('script-src')).toEqual(["'self'"]);
    expect(policy.get('connect-src')).toEqual(["'self'"]);
    expect(policy.get('object-src')).toEqual(["'none'"]);
    expect(policy.get('base-uri')).toEqual(["'none'"]);
    expect(policy.get('frame-ancestors')).toEqual(["'none'"]);
    for (const [name, values] of policy) {
      for (const value of values) {
        expect(value, name).not.toMatch(/unsafe|^\*$|^https?:$|^blob:$|^'strict-dynamic'$|^'nonce-|^'sha\d+-/);
      }
    }
  });
});
