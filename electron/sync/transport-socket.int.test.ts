import { mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { HybridClock } from '../../shared/hlc.ts';
import { uuidv7 } from '../../shared/ids.ts';
import type { Mutation, PushInput } from '../../shared/sync/mutation.ts';
import { SYNC_PROCEDURES } from '../../shared/sync/procedures.ts';
import { PROTOCOL_VERSION } from '../../shared/sync/version.ts';
import { freePort, signInDemoFrontDesk, startSyncServerProcess, syncServerAvailable, type SyncServerProcess } from '../test-support/sync-server-process.ts';
import { createSyncTransport, type SyncTransport, type TransportOptions } from './transport.ts';

/**
 * Push, pull and checksum ride the poke socket once the server has admitted a subscription
 * on it (transport.ts, `syncCall`), against the real sync server process. A TCP front in
 * between counts the HTTP requests that reach the server, and can cut or silence the
 * WebSocket connections, as a dropped or dead network path does.
 */
const ORG = 'northside';
const available = syncServerAvailable();
if (!available) console.warn('SKIPPED electron/sync/transport-socket.int.test.ts: sync-server/main.ts is not there yet');

interface Front {
  url: string;
  /** The sync procedures called over HTTP through the front, in order. */
  httpCalls: string[];
  /** Destroys every WebSocket connection (as a dropped network path). */
  cutSockets(): void;
  /** WebSocket connections stop carrying anything either way, but stay open (a dead path). */
  silenceSockets(): void;
}

async function front(targetPort: number): Promise<{ front: Front; close: () => Promise<void> }> {
  const httpCalls: string[] = [];
  const sockets = new Set<Socket>();
  const webSockets = new Set<Socket>();
  let silent = false;
  const server: Server = createServer((client) => {
    const upstream = connect(targetPort, '127.0.0.1');
    sockets.add(client).add(upstream);
    let kind: 'http' | 'ws' | undefined;
    client.on('data', (chunk: Buffer) => {
      const text = chunk.toString('latin1');
      kind ??= /^GET [^\r\n]+\r\n[\s\S]*^upgrade: *websocket/im.test(text) ? 'ws' : 'http';
      if (kind === 'ws') {
        webSockets.add(client);
        if (silent) return;
      } else {
        for (const match of text.matchAll(/^(?:GET|POST) \/trpc\/([\w.]+)/gm)) httpCalls.push(match[1]!);
      }
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      if (kind === 'ws' && silent) return;
      client.write(chunk);
    });
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    front: {
      url: `http://127.0.0.1:${port}`,
      httpCalls,
      cutSockets: () => webSockets.forEach((socket) => socket.destroy()),
      silenceSockets: () => (silent = true),
    },
    close: () => new Promise<void>((resolve) => (sockets.forEach((socket) => socket.destroy()), server.close(() => resolve()))),
  };
}

/** Sync procedures among the HTTP calls (sign-in and the like are not what is counted). */
const SYNC_PATHS = new Set<string>([SYNC_PROCEDURES.push, SYNC_PROCEDURES.pull, SYNC_PROCEDURES.checksum]);
const syncOverHttp = (f: Front) => f.httpCalls.filter((path) => SYNC_PATHS.has(path));

describe.skipIf(!available)('sync calls over the poke socket (real sync server)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'clinicsync-socket-calls-'));
  let server: SyncServerProcess;
  const cleanups: (() => unknown)[] = [];

  beforeAll(async () => {
    // A device may make 2 calls a second, 12 at once: the rate-limit case runs out, the others never come near.
    server = await startSyncServerProcess({ port: await freePort(), dataDir, env: { CLINICSYNC_LIMITS: 'on', CLINICSYNC_LIMIT_DEVICE_PER_S: '2', CLINICSYNC_LIMIT_DEVICE_BURST: '12' } });
  });
  afterEach(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
    cleanups.length = 0;
  });
  afterAll(async () => {
    await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  /** A signed-in desk whose calls go through a fresh front, with its own clock for pushes. */
  async function desk(options: TransportOptions = {}) {
    const { front: f, close } = await front(Number(new URL(server.url).port));
    cleanups.push(close);
    const { session, deviceId } = await signInDemoFrontDesk(server, ORG, 'socket desk', f.url);
    const transport = createSyncTransport(f.url, { tenantId: session.tenantId, token: session.token }, options);
    cleanups.push(() => transport.close());
    const clock = new HybridClock(`dev-${deviceId.slice(-8)}`);
    const patient = (fields: Record<string, unknown> = {}): Mutation => ({
      mutationId: uuidv7(),
      entity: 'patient',
      id: uuidv7(),
      op: 'upsert',
      fields: { givenName: 'Sockette', familyName: 'Wireman', birthDate: '1980-02-03', sex: 'female', phone: '555-0101', mrn: `S-${uuidv7().slice(-8)}`, ...fields },
      hlc: clock.tick(),
      baseVersion: null,
    });
    const push = (...mutations: Mutation[]): Promise<unknown> => transport.push({ protocolVersion: PROTOCOL_VERSION, deviceId, mutations });
    return { front: f, transport, deviceId, patient, push };
  }

  /** Subscribes to pokes and waits until the server has the subscription; `ended` resolves when it ends. */
  async function subscribed(transport: SyncTransport): Promise<{ ended: Promise<void>; isEnded: () => boolean }> {
    let isEnded = false;
    let started!: () => void;
    let ended!: () => void;
    const startedAt = new Promise<void>((resolve) => (started = resolve));
    const endedAt = new Promise<void>((resolve) => (ended = resolve));
    transport.subscribePokes({ onPoke: () => {}, onStarted: () => started(), onEnded: () => ((isEnded = true), ended()) });
    await startedAt;
    return { ended: endedAt, isEnded: () => isEnded };
  }

  it('goes over HTTP until a subscription is admitted, then push, pull and checksum send no HTTP request and answer alike', async () => {
    const d = await desk();
    const first = d.patient({ familyName: 'Beforesocket' });
    expect(await d.push(first)).toMatchObject({ results: [{ mutationId: first.mutationId, status: 'applied' }] });
    expect(syncOverHttp(d.front)).toEqual([SYNC_PROCEDURES.push]);

    await subscribed(d.transport);
    const second = d.patient({ familyName: 'Oversocket' });
    expect(await d.push(second)).toMatchObject({ results: [{ mutationId: second.mutationId, status: 'applied' }] });
    let cursor = '0';
    const ids = new Set<string>();
    for (;;) {
      const page = await d.transport.pull({ protocolVersion: PROTOCOL_VERSION, domain: 'master_data', cursor, limit: 500 });
      for (const change of page.changes) ids.add(change.id);
      if (!page.hasMore) break;
      cursor = page.cursor;
    }
    expect(ids).toContain(first.id);
    expect(ids).toContain(second.id);
    const sum = await d.transport.checksum!({ protocolVersion: PROTOCOL_VERSION, domain: 'master_data' });
    expect(sum.rows).toBeGreaterThan(0);
    expect(syncOverHttp(d.front)).toEqual([SYNC_PROCEDURES.push]);
  });

  it("answers a refusal over the socket with the server's code, and keeps the socket", async () => {
    const d = await desk();
    const poked = await subscribed(d.transport);
    // A session is bound to its device: a push naming another one is FORBIDDEN.
    const other: PushInput = { protocolVersion: PROTOCOL_VERSION, deviceId: uuidv7(), mutations: [d.patient()] };
    await expect(d.transport.push(other)).rejects.toMatchObject({ code: 'FORBIDDEN' });
    expect(await d.push(d.patient())).toMatchObject({ results: [{ status: 'applied' }] });
    expect(poked.isEnded()).toBe(false);
    expect(syncOverHttp(d.front)).toEqual([]);
  });

  it('after the socket is cut: the subscription ends and the next push goes over HTTP', async () => {
    const d = await desk();
    const poked = await subscribed(d.transport);
    d.front.cutSockets();
    await poked.ended;
    expect(await d.push(d.patient())).toMatchObject({ results: [{ status: 'applied' }] });
    expect(syncOverHttp(d.front)).toEqual([SYNC_PROCEDURES.push]);
  });

  it('a push sent into a socket gone silent is answered over HTTP once the keep-alive gives the socket up', async () => {
    const d = await desk({ socketKeepAlive: { pingMs: 300, pongMs: 300 } });
    const poked = await subscribed(d.transport);
    d.front.silenceSockets();
    const started = performance.now();
    const mutation = d.patient({ familyName: 'Intothevoid' });
    expect(await d.push(mutation)).toMatchObject({ results: [{ mutationId: mutation.mutationId, status: 'applied' }] });
    // Well before the 20 s call timeout: the dead socket was noticed, not waited out.
    expect(performance.now() - started).toBeLessThan(10_000);
    expect(poked.isEnded()).toBe(true);
    expect(syncOverHttp(d.front)).toEqual([SYNC_PROCEDURES.push]);
  });

  it("a device over its rate is refused on the socket with the server's wait (RATE_LIMITED, retryAfterMs), and the socket stays", async () => {
    const d = await desk();
    const poked = await subscribed(d.transport);
    let refusal: unknown;
    for (let i = 0; i < 20 && refusal === undefined; i++) {
      await d.push(d.patient()).catch((error: unknown) => (refusal = error));
    }
    expect(refusal).toMatchObject({ code: 'RATE_LIMITED', retryAfterMs: expect.any(Number) });
    expect((refusal as { retryAfterMs: number }).retryAfterMs).toBeGreaterThan(0);
    expect(poked.isEnded()).toBe(false);
    expect(syncOverHttp(d.front)).toEqual([]);
  });

  it('a push too big for one socket message goes over HTTP, and the socket stays for the next one', async () => {
    const d = await desk();
    const poked = await subscribed(d.transport);
    // Over the server's 1 MiB message limit (it would close the socket), and so over its HTTP
    // body limit too: refused there as too large (the engine never sends one; push-within-bytes.ts).
    const big = Array.from({ length: 60 }, () => d.patient({ notAField: 'x'.repeat(20_000) }));
    await expect(d.push(...big)).rejects.toMatchObject({ code: 'VALIDATION', message: 'The request is too large for the sync server (at most 1 MiB).' });
    expect(syncOverHttp(d.front)).toEqual([SYNC_PROCEDURES.push]);
    expect(await d.push(d.patient())).toMatchObject({ results: [{ status: 'applied' }] });
    expect(poked.isEnded()).toBe(false);
    expect(syncOverHttp(d.front)).toEqual([SYNC_PROCEDURES.push]);
  });
});
