import type { AuditProblem, AuditProblemKind, AuditRecord, AuditVerification } from './audit-read.ts';
import { entryHash, GENESIS_HASH } from './chain-hash.ts';

/** What verification reads from the audit domain for one chain. */
export interface ChainSource {
  /** The chain head and the highest stored seq, read in ONE statement (one snapshot). */
  snapshot(): Promise<{ head: { seq: number; hash: string } | null; lastSeq: number | null }>;
  /** Rows with afterSeq < seq <= uptoSeq, in seq order, at most `limit`. */
  page(afterSeq: number, uptoSeq: number, limit: number): Promise<AuditRecord[]>;
  /** The seq of the row stored with this hash, if any (read only where a link is broken). */
  seqOfHash(hash: string): Promise<number | null>;
}

const PAGE = 2_000;
const MAX_PROBLEMS = 1_000;

/**
 * Walks a chain in seq order and recomputes every hash. Entries appended while it runs
 * (after the snapshot) are left for the next verification. In an untampered chain the
 * head names the last row, seqs run 1..n without gaps, every row hashes to its stored
 * hash and every prev_hash is the previous row's hash.
 */
export async function verifyChain(source: ChainSource): Promise<AuditVerification> {
  const { head, lastSeq } = await source.snapshot();
  const upto = Math.max(head?.seq ?? 0, lastSeq ?? 0);
  const found = new Problems();
  let entries = 0;
  let expected = 1;
  let previous: AuditRecord | null = null;

  for (let after = 0; after < upto; ) {
    const rows = await source.page(after, upto, PAGE);
    if (rows.length === 0) break;
    for (const row of rows) {
      entries++;
      const gap = row.seq > expected;
      for (let seq = expected; seq < row.seq; seq++) if (!found.add(seq, 'missing')) break;
      const selfOk = hashMatches(row);
      // After a gap the link is broken by the deletion already reported.
      if (!gap && row.prevHash !== (previous?.hash ?? GENESIS_HASH)) {
        const where = row.prevHash === GENESIS_HASH ? null : await source.seqOfHash(row.prevHash);
        if (where !== null) {
          // The row this one was chained after stands elsewhere: blame the moved row.
          found.add(selfOk ? where : row.seq, 'reordered');
        } else if (selfOk) {
          // This row is intact, so its predecessor was rewritten along with its hash.
          found.add(previous?.seq ?? row.seq, 'edited');
        }
      }
      if (!selfOk && !found.has(row.seq)) found.add(row.seq, 'edited');
      previous = row;
      expected = row.seq + 1;
      after = row.seq;
    }
  }
  for (let seq = expected; seq <= upto; seq++) if (!found.add(seq, 'missing')) break;

  if (head === null) {
    if (lastSeq !== null) found.add(lastSeq, 'head_mismatch');
  } else if ((lastSeq ?? 0) !== head.seq || (previous !== null && previous.seq === head.seq && previous.hash !== head.hash)) {
    found.add(head.seq, 'head_mismatch');
  }
  const problems = found.list();
  return { ok: problems.length === 0, entries, problems, truncated: found.truncated };
}

function hashMatches(row: AuditRecord): boolean {
  try {
    return entryHash(row) === row.hash;
  } catch {
    return false; // a tampered value the encoding cannot even read
  }
}

/** Problems by seq and kind, each once, capped. */
class Problems {
  private readonly seen = new Map<number, Set<AuditProblemKind>>();
  private count = 0;
  truncated = false;

  /** False once the cap is reached (callers stop listing ranges). */
  add(seq: number, kind: AuditProblemKind): boolean {
    const kinds = this.seen.get(seq) ?? new Set<AuditProblemKind>();
    if (kinds.has(kind)) return true;
    if (this.count >= MAX_PROBLEMS) {
      this.truncated = true;
      return false;
    }
    kinds.add(kind);
    this.seen.set(seq, kinds);
    this.count++;
    return true;
  }

  has(seq: number): boolean {
    return this.seen.has(seq);
  }

  list(): AuditProblem[] {
    return [...this.seen.entries()].sort(([a], [b]) => a - b).flatMap(([seq, kinds]) => [...kinds].map((kind) => ({ seq, kind })));
  }
}
