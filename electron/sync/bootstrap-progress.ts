import type { SyncedDomain } from '../../shared/domains.ts';
import type { PullPage } from '../../shared/sync/pull.ts';
import type { Db } from '../store/db.ts';
import type { OrgStore } from '../store/org-store.ts';

/** The first download's progress, for the UI's progress bar (SyncStatus.bootstrap). */
export interface BootstrapProgress {
  rowsDone: number;
  rowsTotal: number;
  /** Estimated from this run's download rate; null until a rate is known, 0 once done. */
  timeLeftMs: number | null;
  done: boolean;
  startedAt: string;
  finishedAt: string | null;
}

interface BootstrapRow {
  domain: string;
  rows_done: number;
  rows_total: number;
  started_at: string;
  finished_at: string | null;
}

/**
 * Follows a domain's first download (bootstrap): a domain whose cursor is still '0', and
 * one whose download a stop or crash interrupted. Each counted page is recorded in the same
 * transaction that applies it and moves the cursor (sync_bootstrap, store step 5), so the
 * figures after a restart are exactly what the store holds, and the download goes on from
 * the cursor without fetching any page again.
 *
 * The total comes from the server: a cycle's first pull request asks (`countAfter`) for the
 * feed rows after the cursor of every bootstrapping domain at once, so the total is known
 * before the first row lands and the bar never jumps back. Pages stay as fast as ever.
 */
export class BootstrapTracker {
  private readonly db: Db;
  private readonly now: () => number;
  /** Totals counted this cycle, recorded with the domain's next applied page. */
  private readonly counted = new Map<SyncedDomain, number>();
  /** Where this run's rate is measured from (a restart measures afresh). */
  private rateFrom: { at: number; rowsDone: number } | null = null;

  constructor(db: Db, now: () => number = Date.now) {
    this.db = db;
    this.now = now;
  }

  private row(domain: SyncedDomain): BootstrapRow | undefined {
    return this.db.prepare<[string], BootstrapRow>('SELECT * FROM sync_bootstrap WHERE domain = ?').get(domain);
  }

  /** True when the domain's next page should carry the server's count (first page of a cycle). */
  needsCount(domain: SyncedDomain, cursor: string): boolean {
    const row = this.row(domain);
    return row ? row.finished_at === null : cursor === '0';
  }

  /**
   * The counts to ask for on a cycle's first pull request: every domain that is
   * bootstrapping, from its cursor. Undefined when none is (then nothing is counted).
   */
  countRequest(domains: readonly SyncedDomain[], cursorOf: (domain: SyncedDomain) => string): { domain: SyncedDomain; cursor: string }[] | undefined {
    this.counted.clear();
    const wanted = domains.map((domain) => ({ domain, cursor: cursorOf(domain) })).filter(({ domain, cursor }) => this.needsCount(domain, cursor));
    if (wanted.length === 0) return undefined;
    // The rate (time left) is measured from the start of this run's first request.
    this.rateFrom ??= { at: this.now(), rowsDone: this.totals().rowsDone };
    return wanted;
  }

  /** The server's counts (a server one version behind may send none: then the bar shows rows done only). */
  counts(remaining: PullPage['remaining']): void {
    for (const { domain, rows } of remaining ?? []) this.counted.set(domain, rows);
  }

  /** Applies a pulled page and, while the domain bootstraps, its progress, in one transaction. */
  apply(store: OrgStore, page: PullPage): void {
    const domain = page.domain;
    const counted = this.counted.get(domain);
    const row = this.row(domain);
    if (counted === undefined && (!row || row.finished_at !== null)) {
      store.applyPage(page); // not bootstrapping: an ordinary pull
      return;
    }
    const at = new Date(this.now()).toISOString();
    store.db.transaction(() => {
      store.applyPage(page);
      if (!row) {
        this.db.prepare('INSERT INTO sync_bootstrap (domain, rows_done, rows_total, started_at) VALUES (?, 0, ?, ?)').run(domain, counted ?? 0, at);
      } else if (counted !== undefined) {
        // Resumed (or the next cycle): what is done stays done; the rest is counted afresh from the cursor.
        this.db.prepare('UPDATE sync_bootstrap SET rows_total = rows_done + ? WHERE domain = ?').run(counted, domain);
      }
      // An entity changed during the download arrives twice: the total follows the rows done.
      this.db.prepare('UPDATE sync_bootstrap SET rows_done = rows_done + ?, rows_total = max(rows_total, rows_done + ?) WHERE domain = ?').run(page.changes.length, page.changes.length, domain);
      if (!page.hasMore) this.db.prepare('UPDATE sync_bootstrap SET rows_total = rows_done, finished_at = ? WHERE domain = ?').run(at, domain);
    })();
    this.counted.delete(domain);
  }

  private totals(): { rowsDone: number; rowsTotal: number; open: number; startedAt: string | null; finishedAt: string | null } {
    const rows = this.db.prepare<[], BootstrapRow>('SELECT * FROM sync_bootstrap').all();
    let rowsDone = 0;
    let rowsTotal = 0;
    let open = 0;
    let startedAt: string | null = null;
    let finishedAt: string | null = null;
    for (const row of rows) {
      rowsDone += row.rows_done;
      rowsTotal += row.rows_total;
      if (row.finished_at === null) open += 1;
      else if (finishedAt === null || row.finished_at > finishedAt) finishedAt = row.finished_at;
      if (startedAt === null || row.started_at < startedAt) startedAt = row.started_at;
    }
    // Domains counted this cycle whose first page is not applied yet.
    for (const [domain, count] of this.counted) {
      if (rows.some((row) => row.domain === domain)) continue;
      rowsTotal += count;
      open += 1;
    }
    return { rowsDone, rowsTotal, open, startedAt, finishedAt: open === 0 ? finishedAt : null };
  }

  /** Null when this store never bootstrapped (it synced before progress was recorded). */
  progress(): BootstrapProgress | null {
    if (!this.db.open) return null;
    const { rowsDone, rowsTotal, open, startedAt, finishedAt } = this.totals();
    if (startedAt === null && open === 0) return null;
    const done = open === 0;
    return {
      rowsDone,
      rowsTotal: Math.max(rowsTotal, rowsDone),
      timeLeftMs: done ? 0 : this.timeLeft(rowsDone, rowsTotal),
      done,
      startedAt: startedAt ?? new Date(this.now()).toISOString(),
      finishedAt,
    };
  }

  private timeLeft(rowsDone: number, rowsTotal: number): number | null {
    if (!this.rateFrom) return null;
    const elapsed = this.now() - this.rateFrom.at;
    const rows = rowsDone - this.rateFrom.rowsDone;
    if (elapsed <= 0 || rows <= 0) return null;
    return Math.round((Math.max(0, rowsTotal - rowsDone) * elapsed) / rows);
  }
}
