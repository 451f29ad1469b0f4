/**
 * Structured, PHI-free log events. Fields are ids, codes, counts and durations only; no
 * names, birth dates, phones, MRNs, SQL or database messages (a PostgreSQL error detail
 * can quote row values, so only its SQLSTATE code is ever logged).
 */
export type LogValue = string | number | boolean | null;

export interface LogEvent {
  level: 'debug' | 'info' | 'warn' | 'error';
  event: string;
  tenantId?: string;
  /** The HTTP request or WebSocket call the event happened in (added by observability/request-scope.ts). */
  requestId?: string;
  [field: string]: LogValue | undefined;
}

export type Logger = (event: LogEvent) => void;

export const silentLogger: Logger = () => undefined;

/** One JSON object per line on stdout (stderr for warnings and errors). */
export const jsonLineLogger: Logger = (event) => {
  const line = JSON.stringify({ time: new Date().toISOString(), ...event });
  if (event.level === 'warn' || event.level === 'error') process.stderr.write(`${line}\n`);
  else process.stdout.write(`${line}\n`);
};

/** The SQLSTATE or Node error code of an unknown error, for logs (never its message). */
export function errorCodeOf(error: unknown): string {
  if (error && typeof error === 'object') {
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string' && /^[A-Z0-9_]{1,40}$/.test(code)) return code;
    const name = (error as { name?: unknown }).name;
    if (typeof name === 'string' && /^[A-Za-z]{1,40}$/.test(name)) return name;
  }
  return 'unknown';
}
