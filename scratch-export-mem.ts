import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportTenant } from './sync-server/portability/export/export-tenant.ts';
import { startSyncServer } from './sync-server/server.ts';
import { freshDatabase, testEngines } from './sync-server/testing/engines.ts';
import { createOrg } from './sync-server/testing/harness.ts';
import { loadClinic } from './test/bench/clinic-generator.ts';
const [engine] = testEngines(false, '');
const db = await freshDatabase(engine!);
const server = await startSyncServer({ port: 0, database: db.options, seedDemo: false });
const org = await createOrg(server, 'memtest');
await loadClinic(server, org.tenantId, { patients: 8_000, appointments: 42_000, encounters: 17_000, notes: 17_000, orders: 16_000 }, 'mem');
const mb = (n: number) => (n / 1048576).toFixed(1);
const show = (label: string) => { (globalThis as any).gc?.(); const m = process.memoryUsage(); console.log(label, 'rss', mb(m.rss), 'heap', mb(m.heapUsed), 'ext', mb(m.external), 'ab', mb(m.arrayBuffers)); };
show('loaded');
for (let i = 0; i < 3; i++) {
  const dir = mkdtempSync(join(tmpdir(), 'memx-'));
  let peak = 0; const t = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 25);
  await exportTenant({ databases: server.databases, tenantId: org.tenantId, outDir: dir });
  clearInterval(t);
  show(`after export ${i} (peak rss ${mb(peak)})`);
  rmSync(dir, { recursive: true, force: true });
}
await server.close();
