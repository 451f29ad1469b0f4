import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';

/**
 * How fast this machine is right now, for comparing bench runs made at different times:
 * milliseconds of a fixed single-threaded workload (hashing, JSON, object churn: what a
 * sync server's own CPU does), best of three. The machines are shared, and the same code has
 * measured twice as fast on a quiet one (docs/scale.md, "Where it stands"); a bench's figures
 * are comparable with another run's only when this is too. Not a figure: it is in the
 * report's context, taken before and after the benches. Measured in a Node process of its
 * own, so the bench process's heap and timers do not weigh on it (in the bench process
 * itself it read a third more than alone, on the same quiet machine).
 */
export function machineSpeedMs(): number {
  const run = spawnSync(process.execPath, [fileURLToPath(import.meta.url)], { encoding: 'utf8' });
  const ms = Number(run.stdout.trim());
  if (run.status !== 0 || !Number.isFinite(ms) || ms <= 0) throw new Error(`machineSpeedMs: the measuring process failed (exit ${run.status}): ${run.stderr.trim()}`);
  return ms;
}

function measure(): number {
  let best = Number.POSITIVE_INFINITY;
  for (let round = 0; round < 3; round++) {
    const started = performance.now();
    let digest = '';
    for (let i = 0; i < 20_000; i++) {
      const row = { id: i, digest, name: `patient ${i}`, fields: { a: i * 2, b: [i, i + 1, i + 2], c: 'x'.repeat(i % 64) } };
      const text = JSON.stringify(row);
      digest = createHash('sha256').update(text).digest('hex').slice(0, 16);
      if ((JSON.parse(text) as { id: number }).id !== i) throw new Error('machineSpeedMs: JSON round trip failed');
    }
    best = Math.min(best, performance.now() - started);
  }
  return Number(best.toFixed(1));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) console.log(measure());
