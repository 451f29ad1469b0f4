import { SYNC_MAX_INPUT_BYTES } from '../../shared/sync/procedures.ts';

// The poke socket's WebSocket and its limits. The transport (transport.ts) subscribes to
// pokes on it, and sends its sync calls over it once the server has admitted a subscription.

/**
 * The poke socket's own liveness check: after this long without a message the client pings,
 * and closes the socket if no answer comes within SOCKET_PONG_MS. Sync calls ride the socket
 * (transport.ts), so one that died silently (a NAT or Wi-Fi change) must not hold them until TCP
 * gives up, many minutes later.
 */
export const SOCKET_PING_MS = 15_000;
export const SOCKET_PONG_MS = 5_000;
/**
 * How long closing the socket may wait for the server's half of the closing handshake. On a
 * dead path it never comes, and Node's WebSocket waits for it without limit; until the
 * socket counts as closed, the calls on it are not failed (and repeated over HTTP).
 */
const SOCKET_CLOSE_TIMEOUT_MS = 2_000;

/**
 * The poke socket's WebSocket: Node's own, so the machine policy's proxy and CA apply to it
 * (electron/policy/apply-network.ts), except that a close the server does not answer in
 * SOCKET_CLOSE_TIMEOUT_MS is reported as done. tRPC's client closes the socket when its ping
 * goes unanswered; the `close` event is what fails the calls waiting on it, and what makes
 * the transport drop it (`onClose`). The TCP connection itself is left to the OS.
 */
export class SyncWebSocket extends globalThis.WebSocket {
  override close(code?: number, reason?: string): void {
    super.close(code, reason);
    const timer = setTimeout(() => {
      if (this.readyState !== globalThis.WebSocket.CLOSED) this.dispatchEvent(new Event('close'));
    }, SOCKET_CLOSE_TIMEOUT_MS);
    timer.unref();
    this.addEventListener('close', () => clearTimeout(timer), { once: true });
  }
}

/** Whether a call's input fits in one message the server accepts on its WebSocket. */
export function fitsOneMessage(input: unknown): boolean {
  return Buffer.byteLength(JSON.stringify(input ?? null)) <= SYNC_MAX_INPUT_BYTES;
}
