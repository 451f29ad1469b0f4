import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import { isoTime } from '../../db/timestamps.ts';

/**
 * One file of an export, written line by line with backpressure: when the stream's buffer
 * is full, `line` waits for 'drain', so memory holds at most one page plus the stream's
 * high-water mark however large the table. Mode 0600: the files carry PHI.
 */
export class ExportFile {
  readonly name: string;
  private readonly stream: WriteStream;
  private lines = 0;
  private failure: Error | null = null;

  constructor(path: string, name: string) {
    this.name = name;
    this.stream = createWriteStream(path, { flags: 'wx', mode: 0o600, highWaterMark: 256 * 1024 });
    this.stream.on('error', (error) => (this.failure = error));
  }

  /** Rows written so far (a CSV header is not a row). */
  get count(): number {
    return this.lines;
  }

  /** A page of rows as ONE write (one buffer per page rather than one per row: far less garbage). */
  async rows(texts: readonly string[]): Promise<void> {
    if (texts.length === 0) return;
    this.lines += texts.length - 1;
    await this.line(texts.join('\n'));
  }

  async line(text: string, countsAsRow = true): Promise<void> {
    if (this.failure) throw this.failure;
    if (countsAsRow) this.lines++;
    // events.once rejects when the stream emits 'error' while we wait, so a failed disk ends the export.
    if (!this.stream.write(`${text}\n`)) await once(this.stream, 'drain');
  }

  async close(): Promise<void> {
    if (this.failure) throw this.failure;
    this.stream.end();
    await once(this.stream, 'finish');
  }

  /** Closes without caring whether the file is complete (the export failed). */
  abort(): void {
    this.stream.destroy();
  }
}

/** A CSV field per RFC 4180: quoted when it holds a comma, quote or line break; Date as ISO-8601 UTC; objects as JSON. */
export function csvField(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text = value instanceof Date ? isoTime(value) : typeof value === 'object' ? JSON.stringify(value) : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function csvLine(values: readonly unknown[]): string {
  return values.map(csvField).join(',');
}

/** One NDJSON line (Date.toJSON already gives ISO-8601 UTC). */
export function ndjsonLine(value: unknown): string {
  return JSON.stringify(value);
}
