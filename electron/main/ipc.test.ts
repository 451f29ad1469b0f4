import { join } from 'node:path';
import type { IpcMainInvokeEvent } from 'electron';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFileKeystore } from '../keystore/file-keystore.ts';
import { tempDir } from '../test-support/temp-dir.ts';
import { createWorkstation, type Workstation } from '../workstation.ts';
import { registerLocalApiIpc } from './ipc.ts';
import { IPC_CHANNEL, type IpcResponse } from './ipc-protocol.ts';

type Handler = (event: IpcMainInvokeEvent, request: unknown) => Promise<IpcResponse>;

/** Just enough of ipcMain to capture the one handler (Electron cannot run here). */
function fakeIpcMain() {
  const handlers = new Map<string, Handler>();
  return {
    handlers,
    handle: (channel: string, listener: Handler) => void handlers.set(channel, listener),
    removeHandler: (channel: string) => void handlers.delete(channel),
  };
}

/** A main frame (parent null), a sub-frame of our main frame, or no frame at all. */
const eventFrom = (url: string | null, kind: 'main' | 'sub' = 'main') =>
  ({ senderFrame: url === null ? null : { url, parent: kind === 'main' ? null : { url: 'app://renderer/index.html', parent: null } } }) as unknown as IpcMainInvokeEvent;

let dir: ReturnType<typeof tempDir>;
let workstation: Workstation;
let invoke: (url: string | null, request: unknown, kind?: 'main' | 'sub') => Promise<IpcResponse>;
let ipcMain: ReturnType<typeof fakeIpcMain>;
let unregister: () => void;

beforeEach(() => {
  dir = tempDir();
  const keystore = createFileKeystore({ dir: join(dir.path, 'keys'), passphrase: 'ipc test passphrase', log: () => {} });
  workstation = createWorkstation({ dataDir: dir.path, serverUrl: 'http://127.0.0.1:9', keystore });
  ipcMain = fakeIpcMain();
  unregister = registerLocalApiIpc({ ipcMain: ipcMain as never, router: workstation.router, createContext: workstation.createContext });
  invoke = (url, request, kind) => ipcMain.handlers.get(IPC_CHANNEL)!(eventFrom(url, kind), request);
});
afterEach(async () => {
  await workstation.close();
  dir.remove();
});

describe('tRPC over IPC', () => {
  it('registers exactly one channel and answers our app:// frame', async () => {
    expect([...ipcMain.handlers.keys()]).toEqual([IPC_CHANNEL]);
    const reply = await invoke('app://renderer/index.html', { path: 'session.status', type: 'query', input: undefined });
    expect(reply).toEqual({ ok: true, data: { state: 'signed_out', user: null, org: null, serverUrl: 'http://127.0.0.1:9' } });
    unregister();
    expect(ipcMain.handlers.size).toBe(0);
  });

  it('refuses a foreign or vanished sender frame', async () => {
    const lookAlikes = ['app://renderer.evil/', 'app://renderer@evil/', 'app://evil@renderer/', 'app://renderer:8080/', 'https://app.renderer/'];
    for (const url of ['https://evil.example/', 'file:///etc/passwd', 'app://other/index.html', ...lookAlikes, null]) {
      expect(await invoke(url, { path: 'session.status', type: 'query', input: undefined })).toMatchObject({ ok: false, error: { appCode: 'FORBIDDEN' } });
    }
  });

  it('refuses a sub-frame, even one on our own origin', async () => {
    const status = { path: 'session.status', type: 'query', input: undefined };
    expect(await invoke('app://renderer/index.html', status, 'sub')).toMatchObject({ ok: false, error: { appCode: 'FORBIDDEN' } });
    expect(await invoke('app://renderer/index.html', status, 'main')).toMatchObject({ ok: true });
  });

  it('maps errors to appCode + message: locked store, bad input, wrong procedure type, junk', async () => {
    const app = 'app://renderer/';
    expect(await invoke(app, { path: 'patients.list', type: 'query', input: {} })).toMatchObject({ ok: false, error: { appCode: 'STORE_LOCKED' } });
    const bad = await invoke(app, { path: 'session.signIn', type: 'mutation', input: { org: 'X!', username: '', password: '' } });
    expect(bad).toMatchObject({ ok: false, error: { appCode: 'VALIDATION', message: expect.stringContaining('org') } });
    expect(await invoke(app, { path: 'session.status', type: 'mutation', input: undefined })).toMatchObject({ ok: false, error: { appCode: 'NOT_FOUND' } });
    expect(await invoke(app, { path: '__proto__.x', type: 'query' })).toMatchObject({ ok: false, error: { appCode: 'VALIDATION' } });
    expect(await invoke(app, 'junk')).toMatchObject({ ok: false, error: { appCode: 'VALIDATION' } });
  });
});
