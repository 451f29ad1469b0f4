/**
 * Plain output for people and --json for scripts. Values are printed as the admin API
 * returns them (ids, codes, names of orgs, counts): never secrets, never PHI.
 */
export function json(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/** `key: value` lines for one record (nested values as compact JSON). */
export function keyValues(record: object): string {
  const entries = Object.entries(record);
  const width = Math.max(0, ...entries.map(([key]) => key.length));
  return entries.map(([key, value]) => `${`${key}:`.padEnd(width + 2)}${cell(value)}\n`).join('');
}

/** An aligned table of records with the given columns, or a sentence when there are none. */
export function table(rows: readonly object[], columns: readonly string[], empty: string): string {
  if (rows.length === 0) return `${empty}\n`;
  const cells = rows.map((row) => columns.map((column) => cell((row as Record<string, unknown>)[column])));
  const widths = columns.map((column, i) => Math.max(column.length, ...cells.map((line) => line[i]!.length)));
  const line = (values: readonly string[]) => `${values.map((value, i) => value.padEnd(widths[i]!)).join('  ').trimEnd()}\n`;
  return line(columns) + cells.map(line).join('');
}

function cell(value: unknown): string {
  if (value === null || value === undefined) return '-';
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}
