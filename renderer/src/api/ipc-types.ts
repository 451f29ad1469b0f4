/**
 * The IPC contract is owned by the main process (electron/main/ipc-protocol.ts); the
 * renderer takes its TYPES only, so nothing from electron/ ends up in the bundle.
 */
export type { ClinicsyncBridge, IpcRequest, IpcResponse } from '../../../electron/main/ipc-protocol.ts';
