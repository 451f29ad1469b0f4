import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYNC_API_PATH, SYNC_HTTP_MAX_BODY_BYTES, SYNC_PROCEDURES } from '../../shared/sync/procedures.ts';
import { testEngines } from '../testing/engines.ts';
import { createOrg, signedIn, startTestServer, type TestServer } from '../testing/harness.ts';

/**
 * The HTTP endpoint reads at most SYNC_HTTP_MAX_BODY_BYTES of a request body: past it the
 * call is refused (413, VALIDATION, a sentence that says so) without the rest being read,
 * and the server goes on serving. Sign-in reads its body before anyone is known, so an
 * anonymous caller meets the limit there; a call that needs a session is refused at request
 * entry, before its body is read at all, unless the session is good.
 */
describe('HTTP request body limit', () => {
  let server: TestServer;
  let session: { tenantId: string; token: string };
  beforeAll(async () => {
    // The HTTP layer is the same whatever the database: the embedded engine suffices.
    server = await startTestServer(testEngines(false, '')[0]!);
    const org = await createOrg(server, 'bodylimit');
    ({ session } = await signedIn(server, { code: 'bodylimit', username: org.username, password: org.password }));
  });
  afterAll(() => server?.stop());

  const urlOf = (procedure: string) => `${server.url}${SYNC_API_PATH}/${procedure}`;
  /** A JSON body of exactly `bytes` bytes. */
  const bodyOf = (bytes: number) => `{"pad":"${'x'.repeat(bytes - 10)}"}`;
  const post = (procedure: string, bytes: number, headers: Record<string, string> = {}) =>
    fetch(urlOf(procedure), { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: bodyOf(bytes) });
  const refusalOf = async (response: Response) => (await response.json()) as { error: { message: string; data: { appCode: string; httpStatus: number } } };
  const TOO_LARGE = 'The request is too large for the sync server (at most 1 MiB).';

  it('refuses a sign-in body one byte past the limit with 413 and a clear VALIDATION error, and reads one at the limit', async () => {
    expect(Buffer.byteLength(bodyOf(SYNC_HTTP_MAX_BODY_BYTES + 1))).toBe(SYNC_HTTP_MAX_BODY_BYTES + 1);
    const over = await post(SYNC_PROCEDURES.signIn, SYNC_HTTP_MAX_BODY_BYTES + 1);
    expect(over.status).toBe(413);
    const refusal = await refusalOf(over);
    expect(refusal.error.data).toMatchObject({ appCode: 'VALIDATION', httpStatus: 413 });
    expect(refusal.error.message).toBe(TOO_LARGE);

    // At the limit the body is read, and refused for what it holds (no org, no password).
    const at = await post(SYNC_PROCEDURES.signIn, SYNC_HTTP_MAX_BODY_BYTES);
    expect(at.status).toBe(400);
    expect((await refusalOf(at)).error.message).toMatch(/^The request is not valid: /);
  });

  it("refuses a signed-in desk's push past the limit the same way, and reads its next request", async () => {
    const auth = { 'x-tenant-id': session.tenantId, authorization: `Bearer ${session.token}` };
    const over = await post(SYNC_PROCEDURES.push, SYNC_HTTP_MAX_BODY_BYTES + 1, auth);
    expect(over.status).toBe(413);
    expect((await refusalOf(over)).error).toMatchObject({ message: TOO_LARGE, data: { appCode: 'VALIDATION' } });
    const small = await post(SYNC_PROCEDURES.push, 1_000, auth);
    expect((await refusalOf(small)).error.message).toMatch(/^The request is not valid: /);
  });

  /** Sends the headers of a body of `announced` bytes and twice the limit of it, then waits for the answer's status line. */
  async function statusLineOfPartialBody(procedure: string, announced: number, headers = ''): Promise<string> {
    const { port, hostname } = new URL(server.url);
    const socket = await new Promise<Socket>((resolve, reject) => {
      const s = connect(Number(port), hostname, () => resolve(s));
      s.once('error', reject);
    });
    let received = '';
    socket.on('data', (chunk) => (received += chunk.toString('utf8')));
    socket.on('error', () => undefined); // the server may reset the connection once it has answered
    try {
      socket.write(`POST ${SYNC_API_PATH}/${procedure} HTTP/1.1\r\nHost: ${hostname}\r\nContent-Type: application/json\r\n${headers}Content-Length: ${announced}\r\n\r\n`);
      // Twice the limit, then nothing more: a server reading the whole body would never answer.
      socket.write(`{"pad":"${'x'.repeat(2 * SYNC_HTTP_MAX_BODY_BYTES)}`);
      const deadline = Date.now() + 10_000;
      while (!received.includes('\r\n\r\n') && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      return received.split('\r\n')[0]!;
    } finally {
      socket.destroy();
    }
  }

  it('answers a body announced at 100 MiB as soon as it can, without waiting for the rest, and goes on serving', async () => {
    const announced = 100 * 1024 * 1024;
    // Anonymous sign-in: read up to the limit, then refused.
    expect(await statusLineOfPartialBody(SYNC_PROCEDURES.signIn, announced)).toBe('HTTP/1.1 413 Payload Too Large');
    // A push naming no org: refused at request entry, its body never read.
    expect(await statusLineOfPartialBody(SYNC_PROCEDURES.push, announced)).toBe('HTTP/1.1 400 Bad Request');
    // A push with a good session: read up to the limit, then refused.
    const auth = `X-Tenant-Id: ${session.tenantId}\r\nAuthorization: Bearer ${session.token}\r\n`;
    expect(await statusLineOfPartialBody(SYNC_PROCEDURES.push, announced, auth)).toBe('HTTP/1.1 413 Payload Too Large');
    const health = await fetch(urlOf(SYNC_PROCEDURES.health));
    expect(health.status).toBe(200);
  }, 30_000);
});
