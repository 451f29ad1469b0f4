import fc from 'fast-check';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { startTcpRelay, type TcpRelay } from '../../electron/test-support/tcp-relay.ts';
import { testEngines } from '../../sync-server/testing/engines.ts';
import { requirePostgres, testPostgresUrl } from '../support/postgres.ts';
import { commandsArbitrary, DESKS } from './convergence/commands.ts';
import { startRestartableServer, type RestartableServer } from './convergence/restartable-server.ts';
import { coverage, runCase } from './convergence/run-case.ts';

/**
 * Issue 5, "proven under faults": property-based convergence. Three desks of org A and one
 * of org B edit offline, sync through relays that drop the link or cut a request or an
 * answer part-way, while the server restarts; after healing, every invariant holds
 * (convergence/invariants.ts).
 *
 * Replay a failure with the seed and path it prints:
 *   CLINICSYNC_FC_SEED=<seed> CLINICSYNC_FC_PATH=<path> npx vitest run test/sync/convergence.int.test.ts
 * CLINICSYNC_FC_RUNS sets the number of runs (PGlite; PostgreSQL runs a tenth of them).
 */
const engines = testEngines(await requirePostgres('test/sync/convergence (PostgreSQL)'), testPostgresUrl());
const RUNS = Number(process.env['CLINICSYNC_FC_RUNS'] ?? 100);
const SEED = process.env['CLINICSYNC_FC_SEED'] ? Number(process.env['CLINICSYNC_FC_SEED']) : Date.now() ^ (Math.random() * 0x7fffffff);
const PATH = process.env['CLINICSYNC_FC_PATH'];

for (const engine of engines) {
  const runs = engine.name === 'pglite' ? RUNS : Math.max(1, Math.ceil(RUNS / 10));
  describe.skipIf(!engine.available)(`convergence under faults (${engine.name})`, () => {
    let server: RestartableServer;
    const relays: TcpRelay[] = [];

    beforeAll(async () => {
      server = await startRestartableServer(engine);
      for (let i = 0; i < DESKS; i++) relays.push(await startTcpRelay(server.url));
    });

    afterAll(async () => {
      for (const relay of relays) await relay.close();
      await server?.dispose();
    });

    it(`converges with nothing lost, nothing doubled, nothing leaked (${runs} runs)`, async () => {
      console.log(`convergence (${engine.name}): seed ${SEED}${PATH ? `, path ${PATH}` : ''}, ${runs} runs`);
      const started = Date.now();
      await fc.assert(
        fc.asyncProperty(commandsArbitrary, (commands) => runCase(server, relays, commands)),
        { seed: SEED, numRuns: runs, ...(PATH ? { path: PATH } : {}) },
      );
      console.log(`convergence (${engine.name}): ${runs} runs in ${((Date.now() - started) / 1000).toFixed(1)} s; exercised ${JSON.stringify(coverage)}`);
    }, 600_000);
  });
}
