import { startTcpRelay } from '../../electron/test-support/tcp-relay.ts';

/**
 * A TCP pass-through between the workstation host and the sync server that keeps a copy of
 * the bytes, so a test can learn the session tokens the server issued (they exist only in
 * the host's memory and on the wire) and then look for them everywhere else.
 */
export interface RecordingProxy {
  url: string;
  /** Every bearer token the host sent and every token the server answered a sign-in with. */
  sessionTokens(): string[];
  close(): Promise<void>;
}

export async function startRecordingProxy(target: URL): Promise<RecordingProxy> {
  const toServer: Buffer[] = [];
  const toHost: Buffer[] = [];
  const relay = await startTcpRelay(target.toString(), (direction, chunk) => (direction === 'to_server' ? toServer : toHost).push(chunk));
  return {
    url: relay.url,
    sessionTokens() {
      const sent = Buffer.concat(toServer).toString('latin1');
      const answered = Buffer.concat(toHost).toString('latin1');
      const tokens = new Set<string>();
      for (const match of sent.matchAll(/authorization:\s*Bearer\s+([^\s]+)/gi)) tokens.add(match[1]!);
      for (const match of answered.matchAll(/"token"\s*:\s*"([^"]+)"/g)) tokens.add(match[1]!);
      return [...tokens];
    },
    close: () => relay.close(),
  };
}
