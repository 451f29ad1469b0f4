import { monitorEventLoopDelay, PerformanceObserver, constants } from 'node:perf_hooks';
import type { Figure } from './report.ts';
import { recordCallTimes, stopRecordingCallTimes } from './desk-host-call-timer.ts';

/**
 * What the desk's host process (desk-host-process.ts, standing in for the Electron main
 * process) was doing while the searches were typed: its garbage-collection pauses and how
 * late its event loop ran. A keystroke's answer waits
 * behind both, so a slow search with a fast store points here.
 */
export interface HostDiagnostics {
  /** Stops recording; the figures, named `<prefix>_…`. */
  stop(prefix: string): Figure[];
}

const GC_KINDS: Record<number, string> = {
  [constants.NODE_PERFORMANCE_GC_MINOR]: 'minor',
  [constants.NODE_PERFORMANCE_GC_MAJOR]: 'major',
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental',
  [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weakcb',
};

export function watchHost(): HostDiagnostics {
  const pauses: { kind: string; ms: number }[] = [];
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      const detail = (entry as PerformanceEntry & { detail?: { kind?: number } }).detail;
      const kind = GC_KINDS[detail?.kind ?? -1] ?? 'other';
      pauses.push({ kind, ms: entry.duration });
    }
  });
  observer.observe({ entryTypes: ['gc'] });
  const delay = monitorEventLoopDelay({ resolution: 1 });
  delay.enable();
  const heapBefore = process.memoryUsage().heapUsed;
  const times = recordCallTimes();
  return {
    stop(prefix) {
      observer.disconnect();
      delay.disable();
      stopRecordingCallTimes();
      const p95 = (values: number[]) => [...values].sort((a, b) => a - b)[Math.max(0, Math.ceil(0.95 * values.length) - 1)] ?? Number.NaN;
      const heapAfter = process.memoryUsage().heapUsed;
      const major = pauses.filter((p) => p.kind === 'major');
      const minor = pauses.filter((p) => p.kind === 'minor');
      const maxOf = (list: { ms: number }[]) => list.reduce((max, p) => Math.max(max, p.ms), 0);
      const sumOf = (list: { ms: number }[]) => list.reduce((sum, p) => sum + p.ms, 0);
      return [
        { name: `${prefix}_call_p95_ms`, value: p95(times.calls), unit: 'ms', note: `inside the host: a local API call's message in to its answer out, 95th percentile of ${times.calls.length} calls (searches and the screen's other calls)` },
        { name: `${prefix}_store_search_p95_ms`, value: p95(times.searches), unit: 'ms', note: `inside the host: the store's patient search alone, 95th percentile of ${times.searches.length}` },
        { name: `${prefix}_heap_used_mb`, value: heapAfter / 2 ** 20, unit: 'MB', note: `the host process's JS heap in use after the searches (before: ${(heapBefore / 2 ** 20).toFixed(0)} MB)` },
        { name: `${prefix}_gc_minor_count`, value: minor.length, unit: 'pauses', note: `young-generation collections during the searches (total ${sumOf(minor).toFixed(0)} ms, longest ${maxOf(minor).toFixed(1)} ms)` },
        { name: `${prefix}_gc_major_count`, value: major.length, unit: 'pauses', note: `full collections during the searches (total ${sumOf(major).toFixed(0)} ms)` },
        { name: `${prefix}_gc_max_ms`, value: maxOf(pauses), unit: 'ms', note: 'the longest garbage-collection pause of the host during the searches' },
        { name: `${prefix}_loop_delay_p99_ms`, value: delay.percentile(99) / 1e6, unit: 'ms', note: `how late the host's event loop ran, 99th percentile (max ${(delay.max / 1e6).toFixed(1)} ms)` },
      ];
    },
  };
}
