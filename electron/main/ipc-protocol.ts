import type { ErrorCode } from '../../shared/errors.ts';

/**
 * The one IPC message shape between the renderer and the main process (tRPC over IPC).
 * No electron import here: the renderer imports these TYPES (renderer/src/api/ipc-types.ts
 * mirrors them). Plain values only — they cross a structured-clone boundary.
 */
export type IpcRequest = {
  path: string;
  type: 'query' | 'mutation';
  input: unknown;
};

export type IpcResponse =
  | { ok: true; data: unknown }
  | { ok: false; error: { appCode: ErrorCode; message: string } };

/** What the preload exposes on `window.clinicsync` (contextBridge). */
export type ClinicsyncBridge = {
  invoke(request: IpcRequest): Promise<IpcResponse>;
};

/** The single channel; preload.cts repeats the literal (a sandboxed preload cannot import it). */
export const IPC_CHANNEL = 'clinicsync:trpc';

/** The renderer's origin inside Electron: app://renderer/ (never file://). */
export const APP_SCHEME = 'app';
export const APP_HOST = 'renderer';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
