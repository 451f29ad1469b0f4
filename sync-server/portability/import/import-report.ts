import { open, type FileHandle } from 'node:fs/promises';
import { basename } from 'node:path';

/** What an import made of one kind of row. */
export interface KindCounts {
  /** Rows read from the source (good and bad). */
  read: number;
  /** New records made. */
  created: number;
  /** Patients already known above the org, linked to it by the strong match. */
  linked: number;
  /** Rows the org already had (an earlier import of the same source, or the same MRN / NPI / name). */
  unchanged: number;
  /** Rows skipped for an error (each one in the report). */
  failed: number;
}

export type ImportKind = 'patients' | 'practitioners' | 'locations' | 'appointments';
export const IMPORT_KINDS: readonly ImportKind[] = ['patients', 'practitioners', 'locations', 'appointments'];

/** Where a row sits in its source: a line of an NDJSON or CSV file, or an entry of a Bundle; `id` = the source resource id. */
export interface RowPlace {
  file: string;
  line?: number;
  entry?: number;
  id?: string;
}

export interface ImportIssue extends RowPlace {
  severity: 'error' | 'warning';
  kind: ImportKind | 'file';
  /** The field or element at fault, by name ("birth_date", "participant"); never its value. */
  field: string;
  /** Why, in words that never quote the row's values (they may be PHI). */
  message: string;
}

export interface ImportSummary {
  counts: Record<ImportKind, KindCounts>;
  errors: number;
  warnings: number;
  reportPath: string;
}

const emptyCounts = (): KindCounts => ({ read: 0, created: 0, linked: 0, unchanged: 0, failed: 0 });

/**
 * The row-level error report of one import: one JSON object per line (file, line or entry,
 * source id, field, message), written as issues arise so memory stays flat, readable by
 * the operator only (0600), ending with a summary line. It names rows by place and source
 * id and fields by name, and never copies a value out of a row.
 */
export class ImportReport {
  readonly path: string;
  readonly counts: Record<ImportKind, KindCounts> = { patients: emptyCounts(), practitioners: emptyCounts(), locations: emptyCounts(), appointments: emptyCounts() };
  private errors = 0;
  private warnings = 0;
  private pending: string[] = [];
  private readonly file: FileHandle;

  private constructor(path: string, file: FileHandle) {
    this.path = path;
    this.file = file;
  }

  static async create(path: string): Promise<ImportReport> {
    return new ImportReport(path, await open(path, 'w', 0o600));
  }

  /** A row that was skipped: counted as failed. */
  fail(kind: ImportKind, place: RowPlace, field: string, message: string): void {
    this.counts[kind].failed++;
    this.issue({ severity: 'error', kind, ...place, field, message });
  }

  /** A problem with a whole file (it could not be read at all); its rows are not counted. */
  fileError(place: RowPlace, field: string, message: string): void {
    this.issue({ severity: 'error', kind: 'file', ...place, field, message });
  }

  /** One more problem of a row already counted as failed (a row may have several). */
  issueOf(kind: ImportKind, place: RowPlace, field: string, message: string): void {
    this.issue({ severity: 'error', kind, ...place, field, message });
  }

  /** A file or resource type the import leaves aside. */
  fileWarning(place: RowPlace, field: string, message: string): void {
    this.issue({ severity: 'warning', kind: 'file', ...place, field, message });
  }

  warn(kind: ImportKind, place: RowPlace, field: string, message: string): void {
    this.issue({ severity: 'warning', kind, ...place, field, message });
  }

  /** Writes what has gathered since the last flush (called once per batch). */
  async flush(): Promise<void> {
    if (this.pending.length === 0) return;
    const text = this.pending.join('');
    this.pending = [];
    await this.file.write(text);
  }

  async close(): Promise<ImportSummary> {
    const summary: ImportSummary = { counts: this.counts, errors: this.errors, warnings: this.warnings, reportPath: this.path };
    this.pending.push(`${JSON.stringify({ summary: { counts: summary.counts, errors: summary.errors, warnings: summary.warnings } })}\n`);
    await this.flush();
    await this.file.close();
    return summary;
  }

  /** Closes without a summary (the import stopped on a failure). */
  async abandon(): Promise<void> {
    await this.flush().catch(() => undefined);
    await this.file.close().catch(() => undefined);
  }

  private issue(issue: ImportIssue): void {
    if (issue.severity === 'error') this.errors++;
    else this.warnings++;
    this.pending.push(`${JSON.stringify({ ...issue, file: basename(issue.file) })}\n`);
  }
}

/** "patients: 3 created, 1 linked, ..." lines for stdout. */
export function summaryText(summary: ImportSummary): string {
  const lines = IMPORT_KINDS.filter((kind) => summary.counts[kind].read > 0).map((kind) => {
    const c = summary.counts[kind];
    return `  ${kind.padEnd(13)} ${c.read} read: ${c.created} created, ${c.linked} linked, ${c.unchanged} already present, ${c.failed} failed\n`;
  });
  return `${lines.length > 0 ? lines.join('') : '  nothing to import\n'}  ${summary.errors} error(s), ${summary.warnings} warning(s); report: ${summary.reportPath}\n`;
}
