import { createServer, connect, type Socket } from 'node:net';

export interface TcpRelay {
  /** http://127.0.0.1:<port>: the server, as seen through the relay. */
  url: string;
  /** Connections go through to the server. */
  up(): void;
  /** The cable is pulled: new connections are reset and open ones (WebSockets too) cut. */
  down(): void;
  /**
   * Arms a one-shot fault: the next bytes to pass in `direction` (on any connection) are
   * forwarded up to `afterBytes` of them, then that connection is reset on both sides, so
   * a request dies mid-request (the server got part of it) or mid-response (the server
   * did the work and the answer is lost). Arming again replaces the armed fault.
   */
  cut(direction: RelayDirection, afterBytes: number): ArmedCut;
  close(): Promise<void>;
}

export type RelayDirection = 'to_server' | 'to_client';

export interface ArmedCut {
  fired(): boolean;
  /** Disarms it if it has not fired yet. */
  cancel(): void;
}

/**
 * A TCP relay in front of the real sync server, so a test or benchmark can take "the
 * network" away from one workstation and give it back without restarting the server (the
 * workstation sees what a dropped link looks like: connection reset, over real HTTP), and
 * optionally see every byte that passes (`tap`).
 */
export async function startTcpRelay(targetUrl: string, tap?: (direction: RelayDirection, chunk: Buffer) => void): Promise<TcpRelay> {
  const target = new URL(targetUrl);
  let isUp = true;
  const open = new Set<Socket>();
  const armed = new Map<RelayDirection, { remaining: number; fired: boolean }>();
  const server = createServer((client) => {
    if (!isUp) {
      client.resetAndDestroy();
      return;
    }
    const upstream = connect(Number(target.port), target.hostname);
    for (const socket of [client, upstream]) {
      // As the server and the clients do: with Nagle on, a request written in two pieces
      // waits for the delayed ACK of the first (~40 ms a hop on Linux loopback).
      socket.setNoDelay(true);
      open.add(socket);
      socket.on('close', () => open.delete(socket));
      socket.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    if (tap) {
      client.on('data', (chunk: Buffer) => tap('to_server', Buffer.from(chunk)));
      upstream.on('data', (chunk: Buffer) => tap('to_client', Buffer.from(chunk)));
    }
    forward(client, upstream, 'to_server');
    forward(upstream, client, 'to_client');
  });

  // pipe() with an optional armed cut in between; backpressure kept as pipe() would.
  function forward(from: Socket, to: Socket, direction: RelayDirection): void {
    let cutting = false;
    from.on('data', (chunk: Buffer) => {
      if (cutting) return; // nothing more passes once the cut is decided
      const fault = armed.get(direction);
      if (fault && chunk.length > fault.remaining) {
        armed.delete(direction);
        fault.fired = true;
        cutting = true;
        const reset = () => {
          from.resetAndDestroy();
          to.resetAndDestroy();
        };
        if (fault.remaining === 0) reset();
        else to.write(chunk.subarray(0, fault.remaining), reset);
        return;
      }
      if (fault) fault.remaining -= chunk.length;
      if (!to.write(chunk)) {
        from.pause();
        to.once('drain', () => from.resume());
      }
    });
    from.on('end', () => to.end());
  }
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the relay has no port');
  return {
    url: `http://127.0.0.1:${address.port}`,
    up: () => void (isUp = true),
    down() {
      isUp = false;
      for (const socket of open) socket.resetAndDestroy();
      open.clear();
    },
    cut(direction, afterBytes) {
      const fault = { remaining: Math.max(0, afterBytes), fired: false };
      armed.set(direction, fault);
      return {
        fired: () => fault.fired,
        cancel: () => void (armed.get(direction) === fault && armed.delete(direction)),
      };
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of open) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
