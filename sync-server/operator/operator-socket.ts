import { chmodSync, lstatSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { createConnection, createServer, type Socket } from 'node:net';
import { dirname, resolve } from 'node:path';
import type { Logger } from '../log.ts';
import { answerOperatorRequest, type OperatorContext } from './operator-request.ts';
import { MAX_REQUEST_BYTES, type OperatorResponse } from './protocol.ts';

/** How long a connection may take to send its request line. */
const REQUEST_TIMEOUT_MS = 10_000;
/** sun_path is 108 bytes on Linux (104 on macOS), including the terminating NUL. */
const MAX_SOCKET_PATH_BYTES = 103;

export interface OperatorSocket {
  path: string;
  close(): Promise<void>;
}

/**
 * The operator channel: admin commands that must run inside the serving process (a tier
 * move closes a per-org gate that only this process holds) arrive on a Unix domain socket.
 *
 * Authentication is the file system: the socket is mode 0600 in a folder owned by this
 * server's OS account and writable by nobody else, so only processes of that same account
 * (the operator who runs the server, or root) can connect. Nothing on the network
 * reaches it. One request per connection, one JSON line each way (protocol.ts).
 */
export async function startOperatorSocket(path: string, context: OperatorContext, log: Logger): Promise<OperatorSocket> {
  const socketPath = resolve(path);
  if (Buffer.byteLength(socketPath) > MAX_SOCKET_PATH_BYTES) {
    throw new Error(`The operator socket path ${socketPath} is too long for a Unix socket (at most ${MAX_SOCKET_PATH_BYTES} bytes); choose a shorter one.`);
  }
  ownedFolder(dirname(socketPath));
  await replaceStale(socketPath);

  const connections = new Set<Socket>();
  const busy = new Set<Socket>();
  const server = createServer((socket) => {
    connections.add(socket);
    socket.on('close', () => {
      connections.delete(socket);
      busy.delete(socket);
    });
    socket.on('error', () => undefined); // a client that hangs up early is not our failure
    let buffered = '';
    const reply = (response: OperatorResponse) => socket.end(`${JSON.stringify(response)}\n`);
    socket.setTimeout(REQUEST_TIMEOUT_MS, () => {
      if (busy.has(socket)) return;
      reply({ ok: false, code: 'VALIDATION', message: `No request line arrived within ${REQUEST_TIMEOUT_MS / 1000} s.` });
    });
    socket.setEncoding('utf8');
    const onData = (chunk: string) => {
      buffered += chunk;
      const end = buffered.indexOf('\n');
      if (end < 0 && Buffer.byteLength(buffered) <= MAX_REQUEST_BYTES) return;
      socket.off('data', onData);
      socket.pause();
      if (end < 0 || end > MAX_REQUEST_BYTES) {
        reply({ ok: false, code: 'VALIDATION', message: `The request is longer than ${MAX_REQUEST_BYTES} bytes.` });
        return;
      }
      busy.add(socket);
      socket.setTimeout(0); // a move takes as long as it takes
      void answerOperatorRequest(context, buffered.slice(0, end), log).then(reply);
    };
    socket.on('data', onData);
    socket.on('end', () => {
      if (!busy.has(socket) && !socket.writableEnded) reply({ ok: false, code: 'VALIDATION', message: 'The request must end with a newline.' });
    });
  });

  await new Promise<void>((done, fail) => {
    server.once('error', fail);
    server.listen(socketPath, () => {
      server.off('error', fail);
      done();
    });
  });
  // Between bind and this chmod the socket has the umask's mode; the folder check above
  // (owned by us, writable by nobody else) is what keeps that instant safe.
  chmodSync(socketPath, 0o600);
  log({ level: 'info', event: 'operator_socket_listening' });

  let closing: Promise<void> | undefined;
  return {
    path: socketPath,
    close: () =>
      (closing ??= new Promise<void>((done) => {
        // Idle connections go now; a command already running is let finish (close waits for it).
        for (const socket of connections) if (!busy.has(socket)) socket.destroy();
        server.close(() => {
          rmSync(socketPath, { force: true });
          done();
        });
      })),
  };
}

/** Creates the folder (0700) if needed; refuses one owned by another account or writable by others. */
function ownedFolder(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const stat = statSync(dir);
  if (typeof process.getuid === 'function' && stat.uid !== process.getuid()) {
    throw new Error(`The operator socket's folder ${dir} belongs to another user; use a folder of the server's own account.`);
  }
  if ((stat.mode & 0o022) !== 0) {
    throw new Error(`The operator socket's folder ${dir} is writable by other users; make it private (chmod go-w) or choose another folder.`);
  }
}

/**
 * A socket file left by a server that crashed is removed; one that still answers belongs
 * to a running server (refused: one serving process per deployment); anything that is not
 * a socket is never deleted.
 */
async function replaceStale(path: string): Promise<void> {
  let isSocket: boolean;
  try {
    isSocket = lstatSync(path).isSocket();
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ENOENT') return;
    throw error;
  }
  if (!isSocket) throw new Error(`${path} exists and is not a socket; not replacing it (remove it, or choose another operator socket path).`);
  const answering = await new Promise<boolean>((done) => {
    const probe = createConnection(path);
    probe.once('connect', () => {
      probe.destroy();
      done(true);
    });
    probe.once('error', () => done(false));
  });
  if (answering) throw new Error(`Another server is already listening on the operator socket ${path}; stop it first.`);
  rmSync(path, { force: true });
}
