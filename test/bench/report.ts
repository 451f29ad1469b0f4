/** One measured figure: a name other tools can key on, its value and unit, and what it means. */
export interface Figure {
  name: string;
  value: number;
  unit: string;
  note: string;
}

/** JSON first (one object, for machines), then the same figures as a table for people. */
export function printReport(figures: readonly Figure[], context: Record<string, string | number>): void {
  const rounded = figures.map((figure) => ({ ...figure, value: Number(figure.value.toPrecision(4)) }));
  console.log(JSON.stringify({ ...context, figures: rounded }, null, 2));
  const width = Math.max(...rounded.map((figure) => figure.name.length), 6);
  console.log(`\n${'figure'.padEnd(width)}  ${'value'.padStart(10)}  unit        note`);
  for (const figure of rounded) {
    console.log(`${figure.name.padEnd(width)}  ${String(figure.value).padStart(10)}  ${figure.unit.padEnd(10)}  ${figure.note}`);
  }
}
