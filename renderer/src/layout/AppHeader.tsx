import type { SessionStatus } from '../api/types.ts';
import { useSignOut } from '../session/use-session.ts';
import { SyncStatusBadge } from './SyncStatusBadge.tsx';

type Props = { session: SessionStatus };

export function AppHeader({ session }: Props) {
  const signOut = useSignOut();
  return (
    <header className="app-header">
      <div className="brand">
        <span className="brand-name">Clinicsync</span>
        {session.org && (
          <span className="org" title={`Organization code: ${session.org.code}`}>
            {session.org.name}
          </span>
        )}
      </div>
      <SyncStatusBadge />
      <div className="user">
        {session.user && (
          <span>
            {session.user.displayName} <span className="muted">({session.user.role})</span>
          </span>
        )}
        <button type="button" onClick={() => signOut.mutate()} disabled={signOut.isPending}>
          Sign out
        </button>
      </div>
    </header>
  );
}
