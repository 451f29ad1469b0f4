import { createConnection } from 'node:net';
import { responseSchema, type OperatorResponse } from './protocol.ts';

/** Why the operator socket could not be used; `no-server` means: run the command directly. */
export class OperatorSocketError extends Error {
  override name = 'OperatorSocketError';
  readonly noServer: boolean;
  constructor(message: string, noServer: boolean) {
    super(message);
    this.noServer = noServer;
  }
}

/** No socket file, or a file nobody listens on (a server that was stopped or crashed). */
const NO_SERVER = new Set(['ENOENT', 'ECONNREFUSED']);

/**
 * Sends one request to the serving process and waits for its one-line answer, however
 * long the command runs (a move copies a whole org). Throws OperatorSocketError.
 */
export function sendOperatorRequest(path: string, request: Record<string, unknown>): Promise<OperatorResponse> {
  return new Promise((resolve, reject) => {
    const socket = createConnection(path);
    let connected = false;
    let buffered = '';
    socket.setEncoding('utf8');
    socket.once('connect', () => {
      connected = true;
      socket.write(`${JSON.stringify(request)}\n`);
    });
    socket.on('data', (chunk: string) => (buffered += chunk));
    socket.once('error', (error: NodeJS.ErrnoException) => {
      const code = error.code ?? 'unknown';
      if (!connected && NO_SERVER.has(code)) reject(new OperatorSocketError(`No server is listening on ${path}.`, true));
      else reject(new OperatorSocketError(`The operator socket ${path} could not be used (${code}).`, false));
    });
    socket.once('close', () => {
      if (!connected) return; // the error handler answered
      const line = buffered.split('\n', 1)[0] ?? '';
      let parsed;
      try {
        parsed = responseSchema.safeParse(JSON.parse(line));
      } catch {
        parsed = null;
      }
      if (parsed?.success) resolve(parsed.data as OperatorResponse);
      else reject(new OperatorSocketError(`The server closed the operator socket ${path} without a valid answer; see its log.`, false));
    });
  });
}
