// Sandboxed preloads must be CommonJS and may require only 'electron' (and a few
// built-ins), so this file imports nothing of ours at run time: the channel literal
// repeats IPC_CHANNEL from ipc-protocol.ts, whose TYPES are checked here.
import type { ClinicsyncBridge, IpcRequest, IpcResponse } from './ipc-protocol.ts';

const { contextBridge, ipcRenderer } = require('electron') as typeof import('electron');

const bridge: ClinicsyncBridge = {
  // Only the request crosses; the renderer never sees ipcRenderer or the event object.
  invoke: (request: IpcRequest): Promise<IpcResponse> =>
    ipcRenderer.invoke('clinicsync:trpc', { path: request.path, type: request.type, input: request.input }) as Promise<IpcResponse>,
};

contextBridge.exposeInMainWorld('clinicsync', bridge);
