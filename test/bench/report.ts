import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/** One measured figure: a name other tools can key on, its value and unit, and what it means. */
export interface Figure {
  name: string;
  value: number;
  unit: string;
  note: string;
}

/** Where the JSON of a run goes unless BENCH_OUT names another file. */
export const DEFAULT_BENCH_OUT = '.bench/latest.json';

/**
 * The whole run as ONE JSON object, for machines: the context, then `figures` as an object
 * keyed by figure name ({ value, unit, note }), so a tool reads `figures.initial_sync_s_pglite.value`.
 */
export function reportJson(figures: readonly Figure[], context: Record<string, string | number>): Record<string, unknown> {
  const keyed: Record<string, { value: number; unit: string; note: string }> = {};
  for (const figure of figures) keyed[figure.name] = { value: round(figure.value), unit: figure.unit, note: figure.note };
  return { ...context, figures: keyed };
}

/** Prints the table for people and writes the JSON to BENCH_OUT (default .bench/latest.json); returns the file written. */
export function printReport(figures: readonly Figure[], context: Record<string, string | number>, out = process.env['BENCH_OUT'] || DEFAULT_BENCH_OUT): string {
  const file = resolve(out);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(reportJson(figures, context), null, 2)}\n`);
  const rounded = figures.map((figure) => ({ ...figure, value: round(figure.value) }));
  const width = Math.max(...rounded.map((figure) => figure.name.length), 6);
  console.log(`\n${'figure'.padEnd(width)}  ${'value'.padStart(10)}  unit        note`);
  for (const figure of rounded) {
    console.log(`${figure.name.padEnd(width)}  ${String(figure.value).padStart(10)}  ${figure.unit.padEnd(10)}  ${figure.note}`);
  }
  console.log(`\nfigures written to ${file}`);
  return file;
}

/** Four significant digits; NaN (a figure that could not be measured) becomes null in the JSON. */
function round(value: number): number {
  return Number(value.toPrecision(4));
}
