import { availableParallelism, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { probePostgres, testPostgresUrl } from '../support/postgres.ts';
import { testEngines } from '../../sync-server/testing/engines.ts';
import { auditAppendBench } from './audit-append.ts';
import { DESK_SPEED_FULL, DESK_SPEED_QUICK, deskSpeedBench } from './desk-speed.ts';
import { EXPORT_BENCH_FULL, EXPORT_BENCH_QUICK, exportBenchOnEngines } from './export-bench.ts';
import { fairnessBench } from './fairness-bench.ts';
import { LOAD_FULL, LOAD_QUICK, loadBench } from './load/load-bench.ts';
import { machineSpeedMs } from './machine-speed.ts';
import { patientSearchBench } from './patient-search.ts';
import { printReport, type Figure } from './report.ts';
import { storeCipherBench } from './store-cipher.ts';
import { SYNC_BENCH_FULL, SYNC_BENCH_QUICK, syncBenchOnEngines } from './sync-bench.ts';

/**
 * `npm run bench [-- <name>…] [--entries N] [--quick]`: benchmarks, not tests. They print a
 * table, write ONE JSON object of every figure to BENCH_OUT (default .bench/latest.json) and
 * assert nothing about speed; compare ratios measured in one run. `--entries` sizes the
 * audit bench; `--quick` runs the sync bench on a clinic a tenth of full size.
 */
const BENCHES: Record<string, (options: { entries: number; quick: boolean; engine: string | undefined }) => Promise<Figure[]>> = {
  audit: async ({ entries }) => {
    const figures: Figure[] = [];
    for (const engine of testEngines((await probePostgres()).available, testPostgresUrl())) {
      if (engine.available) figures.push(...(await auditAppendBench(engine, entries)));
      else console.error(`bench audit: PostgreSQL not reachable at ${testPostgresUrl()}; measured PGlite only`);
    }
    return figures;
  },
  desk: ({ quick }) => deskSpeedBench(quick ? DESK_SPEED_QUICK : DESK_SPEED_FULL),
  export: ({ quick, engine }) => exportBenchOnEngines(quick ? EXPORT_BENCH_QUICK : EXPORT_BENCH_FULL, engine),
  fairness: ({ engine }) => fairnessBench(engine),
  load: ({ quick }) => loadBench(quick ? LOAD_QUICK : LOAD_FULL),
  search: () => patientSearchBench(),
  store: () => storeCipherBench(),
  sync: ({ quick, engine }) => syncBenchOnEngines(quick ? SYNC_BENCH_QUICK : SYNC_BENCH_FULL, engine),
};

const { values, positionals } = parseArgs({ allowPositionals: true, options: { entries: { type: 'string', default: '2000' }, quick: { type: 'boolean', default: false }, engine: { type: 'string' } } });
const entries = Number.parseInt(values.entries, 10);
if (!Number.isInteger(entries) || entries < 10) {
  console.error('bench: --entries must be a whole number of at least 10');
  process.exit(2);
}
const names = positionals.length > 0 ? positionals : Object.keys(BENCHES);
const unknown = names.filter((name) => !(name in BENCHES));
if (unknown.length > 0) {
  console.error(`bench: unknown benchmark ${unknown.join(', ')}; known: ${Object.keys(BENCHES).join(', ')}`);
  process.exit(2);
}
const machineBefore = machineSpeedMs();
const figures: Figure[] = [];
for (const name of names) figures.push(...(await BENCHES[name]!({ entries, quick: values.quick, engine: values.engine })));
const machineAfter = machineSpeedMs();
console.log(`\nmachine speed (machine-speed.ts; lower is faster, compare runs by it): ${machineBefore} ms before the benches, ${machineAfter} ms after`);
printReport(figures, {
  date: new Date().toISOString(),
  benches: names.join(','),
  quick: String(values.quick),
  cores: availableParallelism(),
  load1: Number(loadavg()[0]!.toFixed(2)),
  machine_ms_before: machineBefore,
  machine_ms_after: machineAfter,
  entries,
  engines: 'figure names end in _pglite or _postgres: the server database engine the figure was measured on',
});
