import { WebSocket } from 'ws';
import { OrgStore } from '../../electron/store/org-store.ts';

/**
 * Times, inside the desk's host process, each local API call over the page's socket (its
 * message in to its answer out) and each patient search in the store, while recording. The
 * bench's own instrument, patched onto the prototypes in desk-host-process.ts only: so a
 * slow keystroke can be placed in the host or in the browser without changing the app.
 * Calls on the socket are answered in order here (the bench waits for each keystroke), so
 * one start time per socket is enough.
 */
export interface CallTimes {
  /** Socket message received → answer sent, per call (ms). */
  calls: number[];
  /** OrgStore.listPatients, per call (ms). */
  searches: number[];
}

let recording: CallTimes | undefined;

export function recordCallTimes(): CallTimes {
  installOnce();
  recording = { calls: [], searches: [] };
  return recording;
}

export function stopRecordingCallTimes(): void {
  recording = undefined;
}

let installed = false;

function installOnce(): void {
  if (installed) return;
  installed = true;
  const started = new WeakMap<WebSocket, number>();
  const emit = WebSocket.prototype.emit;
  WebSocket.prototype.emit = function (this: WebSocket, event: string | symbol, ...args: unknown[]) {
    if (event === 'message') started.set(this, performance.now());
    return emit.call(this, event, ...args);
  };
  const send = WebSocket.prototype.send;
  WebSocket.prototype.send = function (this: WebSocket, ...args: Parameters<WebSocket['send']>) {
    const start = started.get(this);
    if (start !== undefined && recording) recording.calls.push(performance.now() - start);
    return send.apply(this, args);
  } as WebSocket['send'];
  const listPatients = OrgStore.prototype.listPatients;
  OrgStore.prototype.listPatients = function (this: OrgStore, options) {
    const start = performance.now();
    try {
      return listPatients.call(this, options);
    } finally {
      recording?.searches.push(performance.now() - start);
    }
  };
}
