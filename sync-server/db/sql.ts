/**
 * The one query surface every domain service sees. Both engines (pg and PGlite) are
 * adapted to it, so service code never knows which database it runs on.
 */
export interface Sql {
  /** Rows of a single parameterised statement. Row types are declared by the caller. */
  query<Row extends object = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<Row[]>;
  /** Runs a single parameterised statement and returns the number of rows it touched. */
  execute(text: string, params?: readonly unknown[]): Promise<number>;
}

/** An owner-level session used only by migrations, grants and catalog inspection. */
export interface AdminSql extends Sql {
  /** Runs a script of several statements without parameters (migration files). */
  exec(script: string): Promise<void>;
}

/** Double-quotes an identifier we built ourselves (schema and role names); refuses anything unusual. */
export function ident(name: string): string {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new Error(`refusing unusual SQL identifier ${JSON.stringify(name)}`);
  return `"${name}"`;
}
