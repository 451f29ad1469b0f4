import type { SessionStatus } from '../api/types.ts';
import { roleLabel } from '../session/role-label.ts';
import { useSignOut } from '../session/use-session.ts';

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
      <div className="user">
        {session.user && (
          <span>
            {session.user.displayName} <span className="muted">· {roleLabel(session.user.role)}</span>
          </span>
        )}
        <button type="button" onClick={() => signOut.mutate()} disabled={signOut.isPending}>
          {signOut.isPending ? 'Signing out…' : 'Sign out'}
        </button>
      </div>
    </header>
  );
}
