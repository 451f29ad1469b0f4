import { createReadStream } from 'node:fs';

/** One CSV record and the line of the file it starts on (1 = the header). */
export interface CsvRecord {
  line: number;
  fields: string[];
}

/** The file cannot be read on from here (an unterminated quote, an oversized record). */
export class CsvFormatError extends Error {
  readonly line: number;
  constructor(line: number, message: string) {
    super(message);
    this.line = line;
  }
}

/** No roster field comes close; a longer one means a quote was never closed. */
const MAX_RECORD_CHARS = 64 * 1024;

/**
 * Reads an RFC 4180 CSV file record by record from a stream, so memory stays flat however
 * long the file: quoted fields may hold commas, doubled quotes and line breaks; CRLF or LF
 * line ends; a UTF-8 byte-order mark is dropped; blank lines are skipped.
 *
 * Written here because no CSV parser is installed in this project (csv-parse would be the
 * well-kept choice; adding a dependency is not this module's call).
 */
export async function* readCsvRecords(path: string): AsyncGenerator<CsvRecord> {
  let fields: string[] = [];
  let field = '';
  let quoted = false; // inside a quoted field
  let afterQuote = false; // a quote just closed (or a doubled quote is being read)
  let line = 1;
  let recordLine = 1;
  let recordChars = 0;
  let first = true;

  const endRecord = (): CsvRecord | null => {
    fields.push(field);
    const record = fields.length === 1 && fields[0] === '' ? null : { line: recordLine, fields };
    fields = [];
    field = '';
    recordChars = 0;
    return record;
  };

  for await (const chunk of createReadStream(path, { encoding: 'utf8', highWaterMark: 64 * 1024 }) as AsyncIterable<string>) {
    let text = chunk;
    if (first) {
      first = false;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    for (let i = 0; i < text.length; i++) {
      const c = text[i]!;
      if (++recordChars > MAX_RECORD_CHARS) throw new CsvFormatError(recordLine, 'a record is longer than 64 KiB (is a quote left open?)');
      if (quoted) {
        if (c === '"') {
          quoted = false;
          afterQuote = true;
        } else {
          if (c === '\n') line++;
          field += c;
        }
        continue;
      }
      if (afterQuote && c === '"') {
        // "" inside a quoted field: a literal quote, and the field goes on.
        field += '"';
        quoted = true;
        afterQuote = false;
        continue;
      }
      if (c === ',') {
        fields.push(field);
        field = '';
        afterQuote = false;
      } else if (c === '\n') {
        const record = endRecord();
        afterQuote = false;
        line++;
        recordLine = line;
        if (record) yield record;
      } else if (c === '\r') {
        // Part of CRLF; a lone CR inside a field is dropped too.
      } else if (c === '"' && field === '' && !afterQuote) {
        quoted = true;
      } else if (afterQuote) {
        throw new CsvFormatError(recordLine, 'text follows a closing quote inside a field');
      } else {
        field += c;
      }
    }
  }
  if (quoted) throw new CsvFormatError(recordLine, 'a quoted field is never closed');
  const last = endRecord();
  if (last) yield last;
}
