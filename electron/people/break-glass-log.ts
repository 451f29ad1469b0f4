import { uuidv7 } from '../../shared/ids.ts';
import { breakGlassEntrySchema, type BreakGlassEntry } from '../../shared/sync/devices.ts';
import type { Db } from '../store/db.ts';
import type { OrgStore } from '../store/org-store.ts';

interface Row {
  id: string;
  user_id: string;
  reason: string;
  started_at: string;
  expires_at: string;
}

/** The most entries one upload carries (breakGlassUploadSchema's limit). */
export const BREAK_GLASS_UPLOAD_BATCH = 100;

/**
 * Emergency unlocks made on this device, kept in the org's encrypted store until the
 * server has them in the org's audit trail. The reason may name a patient: it is stored
 * here and uploaded, and never logged.
 */
export function recordBreakGlass(store: Pick<OrgStore, 'write'>, entry: { userId: string; reason: string; startedAt: number; expiresAt: number }): BreakGlassEntry {
  const parsed = breakGlassEntrySchema.parse({
    id: uuidv7(entry.startedAt),
    userId: entry.userId,
    reason: entry.reason,
    startedAt: new Date(entry.startedAt).toISOString(),
    expiresAt: new Date(entry.expiresAt).toISOString(),
  });
  store.write((db) =>
    db.prepare('INSERT INTO break_glass (id, user_id, reason, started_at, expires_at, uploaded_at) VALUES (?, ?, ?, ?, ?, NULL)').run(
      parsed.id,
      parsed.userId,
      parsed.reason,
      parsed.startedAt,
      parsed.expiresAt,
    ),
  );
  return parsed;
}

export function pendingBreakGlass(db: Db, limit = BREAK_GLASS_UPLOAD_BATCH): BreakGlassEntry[] {
  return db
    .prepare<[number], Row>('SELECT id, user_id, reason, started_at, expires_at FROM break_glass WHERE uploaded_at IS NULL ORDER BY started_at, id LIMIT ?')
    .all(limit)
    .map((row) => ({ id: row.id, userId: row.user_id, reason: row.reason, startedAt: row.started_at, expiresAt: row.expires_at }));
}

export function markBreakGlassUploaded(store: Pick<OrgStore, 'write'>, ids: readonly string[], at: number): void {
  store.write((db) => {
    const mark = db.prepare('UPDATE break_glass SET uploaded_at = ? WHERE id = ? AND uploaded_at IS NULL');
    for (const id of ids) mark.run(new Date(at).toISOString(), id);
  });
}
