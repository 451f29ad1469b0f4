import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { DatabaseSet } from '../../sync-server/db/domain-db.ts';
import { exportTenant } from '../../sync-server/portability/export/export-tenant.ts';
import { startSyncServer } from '../../sync-server/server.ts';
import { freshDatabase, testEngines, type TestEngine } from '../../sync-server/testing/engines.ts';
import { closeClientSockets, createOrg, signedIn, type TestDevice } from '../../sync-server/testing/harness.ts';
import { probePostgres, testPostgresUrl } from '../support/postgres.ts';
import { clinicAtScale, loadClinic, type ClinicSize } from './clinic-generator.ts';
import type { Figure } from './report.ts';

/**
 * `npm run bench -- export [--quick] [--engine pglite|postgres]`: one org's export at scale
 * while another org keeps syncing, server and export in THIS process (as the exports.create
 * procedure runs them). Measures rows and seconds, the peak growth of the process's RSS over
 * its baseline (target ≤ 100 MB: pages + write buffers, never a table), and the other org's
 * pull latency p95 during the export over its p95 just before (target ≤ 1.5).
 */
export interface ExportBenchSize {
  clinic: ClinicSize;
  /** Pulls of the other org timed before the export starts. */
  baselinePulls: number;
}

/** ~1M rows of clinical data (plus 80k patient links). */
export const EXPORT_BENCH_FULL: ExportBenchSize = {
  clinic: { patients: 80_000, appointments: 420_000, encounters: 170_000, notes: 170_000, orders: 160_000 },
  baselinePulls: 200,
};
export const EXPORT_BENCH_QUICK: ExportBenchSize = {
  clinic: { patients: 8_000, appointments: 42_000, encounters: 17_000, notes: 17_000, orders: 16_000 },
  baselinePulls: 100,
};

export async function exportBenchOnEngines(size: ExportBenchSize, only?: string): Promise<Figure[]> {
  const figures: Figure[] = [];
  for (const engine of testEngines((await probePostgres()).available, testPostgresUrl())) {
    if ((only ?? 'pglite') !== engine.name) continue;
    if (engine.available) figures.push(...(await exportBench(engine, size)));
    else console.error(`bench export: PostgreSQL not reachable at ${testPostgresUrl()}`);
  }
  return figures;
}

/**
 * A full GC on demand, for this bench only: it separates memory the export KEEPS (live heap
 * after a GC, must stay flat) from garbage V8 has not collected yet (which RSS includes).
 */
function fullGc(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

const MEMORY_FIELDS = ['rss', 'heapTotal', 'heapUsed', 'external', 'arrayBuffers'] as const;
type MemoryField = (typeof MEMORY_FIELDS)[number];
const mb = (bytes: number) => (bytes / 1048576).toFixed(1);

/** The peak of each process.memoryUsage() figure over its value at `base`, sampled on demand. */
function memoryPeaks(base: NodeJS.MemoryUsage): { growth: Record<MemoryField, number>; sample(): void } {
  const growth = Object.fromEntries(MEMORY_FIELDS.map((field) => [field, 0])) as Record<MemoryField, number>;
  return {
    growth,
    sample() {
      const now = process.memoryUsage();
      for (const field of MEMORY_FIELDS) growth[field] = Math.max(growth[field], now[field] - base[field]);
    },
  };
}

/**
 * PGlite only: the WAL position and the WAL folder's size (on the bench's data folder; an
 * in-memory PGlite would hold both in this process's memory).
 */
async function walState(databases: DatabaseSet): Promise<{ lsn: number; folder: number } | null> {
  if (databases.engine !== 'pglite') return null;
  const [row] = await databases.inspect('audit', (sql) =>
    sql.query<{ lsn: string; folder: string }>("SELECT (pg_current_wal_lsn() - '0/0')::text AS lsn, (SELECT coalesce(sum(size), 0) FROM pg_ls_waldir())::text AS folder"),
  );
  return row ? { lsn: Number(row.lsn), folder: Number(row.folder) } : null;
}

/** How long the baseline pulls run at least (long enough for V8's heap to settle to the traffic). */
const BASELINE_SECONDS = 10;

function p95(samples: readonly number[]): number {
  const sorted = [...samples].sort((x, y) => x - y);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.95))] ?? Number.NaN;
}

/** One pull of the other org's patients (a desk's incremental sync: first page of 100), timed. */
async function timedPull(device: TestDevice): Promise<number> {
  const started = performance.now();
  await device.pull('master_data', '0', 100);
  return performance.now() - started;
}

async function exportBench(engine: TestEngine, size: ExportBenchSize): Promise<Figure[]> {
  const on = engine.name;
  const log = (line: string) => console.error(`bench export ${on}: ${line}`);
  const outDir = mkdtempSync(join(tmpdir(), 'clinicsync-bench-export-'));
  // PGlite on a data folder on disk, as the embedded default runs (`.data/server`): the
  // in-memory test template keeps every database file and the WAL in this process's
  // ArrayBuffers, which would count the other org's writes as the export's memory.
  const dbDir = mkdtempSync(join(tmpdir(), 'clinicsync-bench-export-db-'));
  const db = engine.name === 'pglite' ? { options: { kind: 'pglite', dataDir: dbDir } as const, drop: async () => undefined } : await freshDatabase(engine);
  const server = await startSyncServer({ port: 0, database: db.options, seedDemo: false });
  try {
    const big = await createOrg(server, 'exportbench');
    const other = await createOrg(server, 'otherorg');
    const loadStarted = performance.now();
    const loaded = await loadClinic(server, big.tenantId, size.clinic, 'clinicsync-export-bench');
    await loadClinic(server, other.tenantId, clinicAtScale(100), 'clinicsync-export-bench-other');
    const rows = loaded.reduce((sum, entity) => sum + entity.rows, 0);
    log(`loaded ${rows} rows in ${((performance.now() - loadStarted) / 1000).toFixed(1)} s`);
    const desk = (await signedIn(server, { code: 'otherorg', username: other.username, password: other.password })).device;

    for (let i = 0; i < 20; i++) await timedPull(desk); // warm-up
    fullGc();
    const afterGc = process.memoryUsage();
    // The baseline is the server serving the same pulls WITHOUT the export, for at least
    // BASELINE_SECONDS: the forced GC above shrinks V8's young generation, which any steady
    // traffic regrows within seconds (measured: the pulls alone grow RSS ~100 MB over the
    // post-GC figure), so a post-GC baseline would charge that regrowth to the export.
    // Both figures are reported.
    const trafficOnly = memoryPeaks(afterGc);
    const trafficSampler = setInterval(() => trafficOnly.sample(), 25);
    const baseline: number[] = [];
    const baselineUntil = performance.now() + BASELINE_SECONDS * 1000;
    while (baseline.length < size.baselinePulls || performance.now() < baselineUntil) baseline.push(await timedPull(desk));
    clearInterval(trafficSampler);
    trafficOnly.sample();
    const walBefore = await walState(server.databases);
    const atStart = process.memoryUsage();
    const peaks = memoryPeaks(atStart);
    const overGc = memoryPeaks(afterGc);
    log(`after a forced GC MB: ${MEMORY_FIELDS.map((field) => `${field} ${mb(afterGc[field])}`).join(', ')}`);
    log(`the pulls alone (${baseline.length} in the baseline), peak over that MB: ${MEMORY_FIELDS.map((field) => `${field} ${mb(trafficOnly.growth[field])}`).join(', ')}`);
    log(`baseline (serving, before the export) MB: ${MEMORY_FIELDS.map((field) => `${field} ${mb(atStart[field])}`).join(', ')}`);
    let ticks = 0;
    const sampler = setInterval(() => {
      peaks.sample();
      overGc.sample();
      // Every 5 s, where the memory is (RSS minus V8's heap and external is native: WASM, malloc).
      if (++ticks % 200 === 0) {
        const now = process.memoryUsage();
        const spaces = getHeapSpaceStatistics()
          .filter((space) => space.space_size > 1048576)
          .map((space) => `${space.space_name} ${mb(space.space_size)}`)
          .join(', ');
        log(`${ticks / 40} s: over baseline MB ${MEMORY_FIELDS.map((field) => `${field} ${mb(now[field] - atStart[field])}`).join(', ')}; V8 spaces MB ${spaces}`);
      }
    }, 25);

    const during: number[] = [];
    let exporting = true;
    const pulling = (async () => {
      while (exporting) during.push(await timedPull(desk));
    })();
    const started = performance.now();
    const manifest = await exportTenant({ databases: server.databases, tenantId: big.tenantId, outDir });
    const seconds = (performance.now() - started) / 1000;
    exporting = false;
    await pulling;
    clearInterval(sampler);
    peaks.sample();
    overGc.sample();
    const walAfter = await walState(server.databases);

    const exported = manifest.output.reduce((sum, entry) => sum + entry.count, 0) + manifest.extension.clinicsync.operational.reduce((sum, entry) => sum + entry.count, 0);
    const ratio = p95(during) / p95(baseline);
    const atEnd = process.memoryUsage();
    fullGc();
    const liveAfter = process.memoryUsage().heapUsed;
    log(`peak growth over baseline MB: ${MEMORY_FIELDS.map((field) => `${field} ${mb(peaks.growth[field])}`).join(', ')}`);
    log(`at end over baseline MB: ${MEMORY_FIELDS.map((field) => `${field} ${mb(atEnd[field] - atStart[field])}`).join(', ')}`);
    if (walBefore && walAfter) log(`WAL: ${mb(walAfter.lsn - walBefore.lsn)} MB written during the export; WAL folder ${mb(walBefore.folder)} -> ${mb(walAfter.folder)} MB`);
    log(`exported ${exported} rows in ${seconds.toFixed(1)} s; other org pulls: ${baseline.length} before, ${during.length} during`);
    return [
      { name: `export_rows_${on}`, value: exported, unit: 'rows', note: `FHIR resources + operational rows of one org (${rows} generated clinical rows)` },
      { name: `export_seconds_${on}`, value: seconds, unit: 's', note: 'exportTenant wall time, server serving meanwhile in the same process' },
      { name: `export_rows_per_s_${on}`, value: exported / seconds, unit: 'rows/s', note: 'export throughput' },
      { name: `export_rss_growth_mb_${on}`, value: peaks.growth.rss / 1048576, unit: 'MB', note: 'peak RSS of the server process during the export over its baseline (target <= 100)' },
      { name: `export_rss_growth_over_gc_mb_${on}`, value: overGc.growth.rss / 1048576, unit: 'MB', note: 'the same peak over the RSS just after a forced full GC (the stricter, first baseline; includes the young generation the traffic regrows)' },
      { name: `export_traffic_only_rss_growth_over_gc_mb_${on}`, value: trafficOnly.growth.rss / 1048576, unit: 'MB', note: 'control: peak RSS over the post-GC figure while the other org pulls WITHOUT any export (the baseline phase)' },
      { name: `export_heap_total_growth_mb_${on}`, value: peaks.growth.heapTotal / 1048576, unit: 'MB', note: 'peak V8 heap reserved (heapTotal) over baseline: young + old generation sizing' },
      { name: `export_heap_used_growth_mb_${on}`, value: peaks.growth.heapUsed / 1048576, unit: 'MB', note: 'peak JS heap in use (live + not yet collected garbage) over baseline' },
      { name: `export_external_growth_mb_${on}`, value: peaks.growth.external / 1048576, unit: 'MB', note: 'peak external memory (Buffers, ArrayBuffers, PGlite\'s WASM heap) over baseline' },
      { name: `export_array_buffers_growth_mb_${on}`, value: peaks.growth.arrayBuffers / 1048576, unit: 'MB', note: 'peak ArrayBuffer memory over baseline' },
      ...(walBefore && walAfter
        ? [{ name: `export_wal_written_mb_${on}`, value: (walAfter.lsn - walBefore.lsn) / 1048576, unit: 'MB', note: 'WAL the embedded database wrote during the export (to its data folder)' }]
        : []),
      { name: `export_live_heap_growth_mb_${on}`, value: (liveAfter - afterGc.heapUsed) / 1024 / 1024, unit: 'MB', note: 'JS heap still in use after the export and a full GC, over the same at baseline (what the export keeps)' },
      { name: `export_other_org_pull_p95_before_ms_${on}`, value: p95(baseline), unit: 'ms', note: "another org's pull (first page of 100 patients) p95 before the export" },
      { name: `export_other_org_pull_p95_during_ms_${on}`, value: p95(during), unit: 'ms', note: 'the same pull, p95 during the export' },
      { name: `export_other_org_sync_p95_ratio_${on}`, value: ratio, unit: 'x', note: 'p95 during / p95 before (target <= 1.5)' },
    ];
  } finally {
    await closeClientSockets();
    await server.close();
    await db.drop();
    rmSync(outDir, { recursive: true, force: true });
    rmSync(dbDir, { recursive: true, force: true });
  }
}
