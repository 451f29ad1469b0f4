import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, statSync, existsSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TRPCClientError } from '@trpc/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uuidv7 } from '../../shared/ids.ts';
import { requirePostgres, testPostgresUrl } from '../../test/support/postgres.ts';
import type { TierResult } from '../admin/placement-admin.ts';
import { dropPostgresDeployment } from '../db/postgres-admin.ts';
import type { DatabaseOptions } from '../db/open-databases.ts';
import { startSyncServer, type SyncServerHandle } from '../server.ts';
import { testEngines } from '../testing/engines.ts';
import { appointmentFields, closeClientSockets, createOrg, patientFields, signedIn, type TestDevice } from '../testing/harness.ts';
import { deploymentKey } from './deployment-key.ts';
import { runCli } from '../testing/run-cli.ts';

const engines = testEngines(await requirePostgres('sync-server/operator (PostgreSQL)'), testPostgresUrl());

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const cli = (args: readonly string[]) => runCli(args);
/** Longer than the placement gate holds a push (30 s) before answering RATE_LIMITED. */
const STALLED_MS = 45_000;

/** One raw request line on the socket, one parsed answer back. */
function raw(path: string, line: string): Promise<{ ok: boolean; code?: string; message?: string }> {
  return new Promise((resolve, reject) => {
    const socket = createConnection(path);
    let answer = '';
    socket.setEncoding('utf8');
    socket.on('connect', () => socket.write(line));
    socket.on('data', (chunk: string) => (answer += chunk));
    socket.on('error', reject);
    socket.on('close', () => resolve(JSON.parse(answer) as { ok: boolean; code?: string; message?: string }));
  });
}

for (const engine of engines) {
  describe.skipIf(!engine.available)(`operator socket: tenant set-tier in the serving process (${engine.name})`, { timeout: 240_000 }, () => {
    const dir = mkdtempSync(join(tmpdir(), 'cs-op-'));
    const socketPath = join(dir, 'admin.sock');
    const prefix = `cs_t${randomBytes(5).toString('hex')}`;
    // PGlite on disk, so the data folder lock is real and the CLI could not open it itself.
    const database: DatabaseOptions =
      engine.name === 'pglite' ? { kind: 'pglite', dataDir: join(dir, 'db') } : { kind: 'postgres', adminUrl: engine.adminUrl, databasePrefix: prefix, poolSize: 4 };
    const dbArgs = engine.name === 'pglite' ? ['--data-dir', join(dir, 'db')] : ['--database-url', new URL(`/${prefix}`, engine.adminUrl).toString()];
    let server: SyncServerHandle;
    let org: { tenantId: string; device: TestDevice; patientId: string };

    beforeAll(async () => {
      server = await startSyncServer({ port: 0, database, operatorSocket: socketPath });
      const created = await createOrg(server, 'opnorth');
      const { device } = await signedIn(server, { code: 'opnorth', ...created });
      const patientId = uuidv7();
      await device.push(device.mutation('patient', patientId, patientFields()));
      await device.push(...Array.from({ length: 30 }, (_, i) => device.mutation('appointment', uuidv7(), appointmentFields(patientId, { reason: `Seed ${i}` }))));
      org = { tenantId: created.tenantId, device, patientId };
    });
    afterAll(async () => {
      await closeClientSockets();
      await server?.close();
      if (engine.name === 'postgres') await dropPostgresDeployment(engine.adminUrl, prefix);
      rmSync(dir, { recursive: true, force: true });
    });

    it('listens on a socket only its own OS user can use', () => {
      const stat = statSync(socketPath);
      expect(stat.isSocket()).toBe(true);
      expect(stat.mode & 0o777).toBe(0o600);
      expect(stat.uid).toBe(process.getuid!());
      expect(server.operatorSocket).toBe(socketPath);
    });

    it('answers bad requests with a clear error and no detail', async () => {
      const deployment = deploymentKey(database);
      expect(await raw(socketPath, 'not json\n')).toEqual({ ok: false, code: 'VALIDATION', message: expect.stringMatching(/not valid JSON/) });
      expect(await raw(socketPath, `${JSON.stringify({ command: 'tenant.drop', deployment })}\n`)).toEqual({
        ok: false,
        code: 'VALIDATION',
        message: expect.stringMatching(/Unknown command "tenant.drop"; the operator socket knows tenant.set-tier/),
      });
      expect(await raw(socketPath, `${JSON.stringify({ command: 'tenant.set-tier', deployment, tenant: 'opnorth', tier: 'platinum' })}\n`)).toMatchObject({
        ok: false,
        code: 'VALIDATION',
        message: expect.stringMatching(/"tier"/),
      });
      expect(await raw(socketPath, `${JSON.stringify({ command: 'tenant.set-tier', deployment, tenant: 'nowhere', tier: 'dedicated' })}\n`)).toEqual({
        ok: false,
        code: 'NOT_FOUND',
        message: 'No organization has the code "nowhere".',
      });
      // A socket that belongs to another deployment than the one the operator named does nothing.
      expect(await raw(socketPath, `${JSON.stringify({ command: 'tenant.set-tier', deployment: 'pglite:/elsewhere', tenant: 'opnorth', tier: 'dedicated' })}\n`)).toMatchObject({
        ok: false,
        code: 'CONFLICT',
      });
      expect(await server.admin.placementOf(org.tenantId)).toMatchObject({ placement: 'shared' });
    });

    it('is needed: without it the CLI cannot move an org the server is serving', async () => {
      const direct = await cli(['tenant', 'set-tier', '--tenant', 'opnorth', '--tier', 'dedicated', '--operator-socket', 'off', ...dbArgs]);
      expect(direct.code).toBe(1);
      // PGlite: the folder is locked by the server; PostgreSQL: the server holds a serving lease.
      expect(direct.stderr).toMatch(engine.name === 'pglite' ? /Could not open the databases \(PGlite in / : /Other server processes have these databases open/);
      expect(await server.admin.placementOf(org.tenantId)).toMatchObject({ placement: 'shared' });
    });

    it('moves the org to dedicated and back through the real CLI while a workstation keeps pushing', async () => {
      const acknowledged = new Map<string, string>();
      let retries = 0;
      let stop = false;
      let writerFailed: unknown = null;
      let stalled = 0;
      const writer = (async () => {
        for (let i = 0; !stop; i++) {
          const id = uuidv7();
          const reason = `Visit ${i}`;
          // One mutation, sent again as it is until acknowledged (the workstation's outbox does the same).
          const mutation = org.device.mutation('appointment', id, appointmentFields(org.patientId, { reason }));
          for (;;) {
            // A push with no answer at all is given up after STALLED_MS and sent again (the
            // workstation's transport times out too); counted and printed, so a stall shows.
            const outcome = await Promise.race([
              org.device.push(mutation).then(
                (answer) => ({ answer }),
                (error: unknown) => ({ error }),
              ),
              sleep(STALLED_MS).then(() => ({ stalled: true }) as const),
            ]);
            if ('stalled' in outcome) {
              stalled++;
              continue;
            }
            if ('answer' in outcome) {
              expect(outcome.answer.results[0]).toMatchObject({ status: expect.stringMatching(/^(applied|duplicate)$/) });
              break;
            }
            // The gate held the request too long (RATE_LIMITED), or the connection dropped
            // under it (a reset keep-alive socket, no answer at all): the workstation retries both.
            const { error } = outcome;
            if (!(error instanceof TRPCClientError)) throw error;
            if (error.data === undefined) expect(error.cause, 'a call with no answer').toBeDefined();
            else expect((error.data as { appCode?: string }).appCode).toBe('RATE_LIMITED');
            retries++;
            await sleep(20);
          }
          acknowledged.set(id, reason);
        }
      })().catch((error: unknown) => {
        writerFailed = error;
      });
      const untilMore = async (n: number) => {
        const target = acknowledged.size + n;
        while (acknowledged.size < target) {
          if (writerFailed) throw writerFailed;
          await sleep(10);
        }
      };

      const setTier = async (tier: 'dedicated' | 'shared') => {
        await untilMore(3);
        const run = await cli(['tenant', 'set-tier', '--tenant', 'opnorth', '--tier', tier, '--operator-socket', socketPath, '--json', ...dbArgs]);
        expect(run.code, run.stderr).toBe(0);
        await untilMore(3);
        return JSON.parse(run.stdout) as TierResult;
      };

      const toDedicated = await setTier('dedicated');
      expect(toDedicated).toMatchObject({ tenantId: org.tenantId, tier: 'dedicated', previousTier: 'shared', placement: 'dedicated', moved: true });
      const appointments = (result: TierResult) => result.tables.find((t) => t.domain === 'scheduling' && t.table === 'appointments')?.rows ?? 0;
      expect(appointments(toDedicated)).toBeGreaterThanOrEqual(30 + 3);
      expect(toDedicated.rowsMoved).toBe(toDedicated.tables.reduce((sum, t) => sum + t.rows, 0));
      expect(await server.admin.placementOf(org.tenantId)).toMatchObject({ placement: 'dedicated', state: 'active' });

      const toShared = await setTier('shared');
      expect(toShared).toMatchObject({ tier: 'shared', previousTier: 'dedicated', placement: 'shared', moved: true });
      expect(appointments(toShared)).toBeGreaterThan(appointments(toDedicated));
      stop = true;
      await writer;
      if (writerFailed) throw writerFailed;

      // Every acknowledged push is there, after both moves.
      // The writer books one slot over and over: the feed also carries the booking conflicts that opens.
      const feed = new Map((await org.device.pullAll('scheduling')).changes.filter((c) => c.entity === 'appointment').map((c) => [c.id, c]));
      for (const [id, reason] of acknowledged) expect(feed.get(id)?.fields?.reason, id).toBe(reason);
      expect(feed.size).toBe(30 + acknowledged.size);

      // Audited in the org's chain as the operator's command, run in the server.
      const entries = (await server.admin.listAudit({ tenantId: org.tenantId, action: 'admin:tenant.set-tier' })).entries;
      expect(entries.filter((e) => e.outcome === 'ok').map((e) => [e.detail.tier, e.detail.via])).toEqual([
        ['shared', 'operator-socket'],
        ['dedicated', 'operator-socket'],
      ]);
      expect(await server.admin.verifyAudit({ tenantId: org.tenantId })).toMatchObject({ ok: true });
      console.log(`[operator ${engine.name}] moved ${toDedicated.rowsMoved} + ${toShared.rowsMoved} rows; ${acknowledged.size} pushes acknowledged; ${retries} retried; ${stalled} stalled (no answer in ${STALLED_MS / 1000} s)`);
    });

    it('removes its socket file when the server stops; the CLI then runs the command itself', async () => {
      await closeClientSockets();
      await server.close();
      expect(existsSync(socketPath)).toBe(false);
      const direct = await cli(['tenant', 'set-tier', '--tenant', 'opnorth', '--tier', 'namespace', '--operator-socket', socketPath, '--json', ...dbArgs]);
      expect(direct.code, direct.stderr).toBe(0);
      expect(JSON.parse(direct.stdout)).toMatchObject({ tenantId: org.tenantId, tier: 'namespace', previousTier: 'shared', moved: false });
    });
  });
}
