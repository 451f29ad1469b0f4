import type { ErrorCode } from '../../../shared/errors.ts';

/**
 * The one IPC message shape between the renderer and the main process. The electron side
 * owns the contract (electron/main/ipc-protocol.ts); this mirror exists only so the
 * renderer type-checks before that file lands. Keep the two identical.
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
