import { roleCan } from '../../../shared/auth/capabilities.ts';
import { ENTITY_WRITE } from '../../../shared/auth/entity-write.ts';
import { readAppError } from '../api/errors.ts';
import { useSession } from '../session/use-session.ts';
import { Alert } from '../ui/Alert.tsx';
import { formatDateTime } from '../ui/format.ts';
import { conflictValueText, entityLabel, fieldLabel } from './sync-centre-text.ts';
import { useOpenConflicts, useResolveConflict } from './use-conflicts.ts';

/**
 * Each open conflict with both values: the one in effect ("Keep this" changes nothing and
 * closes it) and the one that lost the merge ("Keep the other" writes it back as a new edit).
 */
export function ConflictList() {
  const role = useSession().data?.user?.role ?? null;
  const conflicts = useOpenConflicts();
  const resolve = useResolveConflict();
  const failure = conflicts.isError ? readAppError(conflicts.error) : null;
  const resolveError = resolve.isError ? readAppError(resolve.error) : null;
  const rows = conflicts.data ?? [];

  return (
    <section aria-labelledby="conflicts-heading">
      <h2 id="conflicts-heading">Conflicts</h2>
      {failure && <Alert tone="error" title="Could not load conflicts">{failure.message}</Alert>}
      {resolveError && <Alert tone="error" title="Could not resolve the conflict">{resolveError.message}</Alert>}
      {conflicts.isPending ? (
        <p className="muted">Loading conflicts…</p>
      ) : rows.length === 0 ? (
        <p className="empty">No open conflicts.</p>
      ) : (
        <ul className="conflict-list">
          {rows.map((conflict) => {
            const titleId = `conflict-${conflict.id}-title`;
            const busy = resolve.isPending && resolve.variables.id === conflict.id;
            return (
              <li key={conflict.id}>
                <article className="conflict" aria-labelledby={titleId}>
                  <h3 id={titleId}>
                    {entityLabel(conflict.entity)}: {fieldLabel(conflict.field)}
                  </h3>
                  <dl className="conflict-values">
                    <dt>Value in effect</dt>
                    <dd>{conflictValueText(conflict.winningValue)}</dd>
                    <dt>Other value</dt>
                    <dd>{conflictValueText(conflict.losingValue)}</dd>
                    <dt>Found</dt>
                    <dd>{formatDateTime(conflict.createdAt)}</dd>
                  </dl>
                  {role && roleCan(role, ENTITY_WRITE[conflict.entity]) ? (
                    <div className="conflict-actions" role="group" aria-label={`Resolve ${fieldLabel(conflict.field).toLowerCase()} conflict`}>
                      <button type="button" disabled={busy} onClick={() => resolve.mutate({ id: conflict.id, keep: 'winner' })}>
                        Keep this
                      </button>
                      <button type="button" disabled={busy} onClick={() => resolve.mutate({ id: conflict.id, keep: 'loser' })}>
                        Keep the other
                      </button>
                    </div>
                  ) : (
                    // The local API refuses it too; here it is simply not offered.
                    <p className="muted small">Someone whose role may change this record decides this conflict.</p>
                  )}
                </article>
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}
