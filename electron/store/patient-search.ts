/**
 * Turns what the desk types into an FTS5 MATCH expression over the patient_search index
 * (electron/store/schema/search-tables.ts). Rules:
 *  - the query is split on whitespace (at most MAX_WORDS words); EVERY word must match;
 *  - a word matches when it prefixes a given or family name (case and accents ignored:
 *    "zoe" finds "Zoë"), or prefixes the MRN, the phone's digits (with or without the
 *    "+CC" country code) or the birth date, punctuation ignored ("mrn-00" finds
 *    "MRN-0012", "555-01" finds "+1 555-0123", "1985-06" finds 1985-06-15);
 *  - a whole query of phone characters only ("(555) 01-23") is one number;
 *  - a birth date written with slashes or dots (15/06/1985, 06/15/1985, 15.06.1985) is
 *    matched under EVERY valid reading, day-first and month-first: 15/06/1985 can only be
 *    15 June, 06/07/1985 finds both 6 July and 7 June (the desk sees both, no guessing).
 * Every word goes into the expression as a quoted FTS5 string, so quotes, *, NEAR, AND,
 * -, ^, : or parentheses typed by the user are text, never FTS syntax. A query with no
 * letter or digit at all matches nothing.
 */
const MAX_WORDS = 8;

export interface PatientSearchQuery {
  /** The FTS5 MATCH expression. */
  match: string;
  /** The whole query as an MRN key (see mrn_key): an exact MRN ranks first. */
  mrnKey: string;
}

/** Lower case, accents removed, letters and digits only: how MRN, phone and date keys compare. */
export function searchKey(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]/gu, '');
}

/** undefined when the query cannot match anything (empty, or punctuation only). */
export function patientSearchQuery(search: string): PatientSearchQuery | undefined {
  // Control characters (a NUL would cut the expression short inside SQLite) are spaces.
  const term = search.replace(/\p{Cc}/gu, ' ').trim();
  const words = /^[0-9+()\-. ]+$/.test(term) && /\s/.test(term) ? [term.replace(/\s+/g, '')] : term.split(/\s+/);
  const clauses = words
    .filter((word) => searchKey(word) !== '')
    .slice(0, MAX_WORDS)
    .map(wordClause);
  if (clauses.length === 0) return undefined;
  return { match: clauses.join(' AND '), mrnKey: searchKey(term) };
}

function wordClause(word: string): string {
  const alternatives = [`names : ${quoted(word)} *`, `keys : ${quoted(searchKey(word))} *`];
  for (const date of birthDateReadings(word)) alternatives.push(`keys : ${quoted(date)}`);
  return `(${alternatives.join(' OR ')})`;
}

/** An FTS5 string: the only special character inside one is the double quote, doubled. */
const quoted = (text: string) => `"${text.replace(/"/g, '""')}"`;

/** D/M/YYYY and M/D/YYYY (slashes or dots): every reading that is a real date, as YYYYMMDD. */
export function birthDateReadings(word: string): string[] {
  const parts = /^(\d{1,2})[/.](\d{1,2})[/.](\d{4})$/.exec(word);
  if (!parts) return [];
  const [a, b, year] = [Number(parts[1]), Number(parts[2]), Number(parts[3])];
  const readings = [
    [b, a],
    [a, b],
  ]
    .filter(([month, day]) => isDate(year, month!, day!))
    .map(([month, day]) => `${year}${String(month).padStart(2, '0')}${String(day).padStart(2, '0')}`);
  return [...new Set(readings)];
}

function isDate(year: number, month: number, day: number): boolean {
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}
