import type { SessionStatus } from '../api/types.ts';
import { OrgSwitcher } from '../session/OrgSwitcher.tsx';
import { roleLabel } from '../session/role-label.ts';
import { useLock, useSignOut } from '../session/use-session.ts';
import { OfflineBanner } from '../sync/OfflineBanner.tsx';

type Props = { session: SessionStatus };

export function AppHeader({ session }: Props) {
  const signOut = useSignOut();
  const lock = useLock();
  return (
    <>
      <header className="app-header">
        <div className="brand">
          <span className="brand-name">Clinicsync</span>
          {session.org && (
            <span className="org" title={`Organization code: ${session.org.code}`}>
              <span className="visually-hidden">Organization: </span>
              {session.org.name}
            </span>
          )}
          {session.mode === 'offline' && <span className="muted">Signed in offline</span>}
          {session.mode === 'break_glass' && session.breakGlassEndsAt && (
            <span role="status">Emergency access until {new Date(session.breakGlassEndsAt).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })}</span>
          )}
        </div>
        <div className="user">
          {session.user && (
            <span>
              {session.user.displayName} <span className="muted">· {roleLabel(session.user.role)}</span>
            </span>
          )}
          <OrgSwitcher session={session} />
          <button type="button" onClick={() => lock.mutate()} disabled={lock.isPending}>
            Lock
          </button>
          <button type="button" onClick={() => signOut.mutate()} disabled={signOut.isPending}>
            {signOut.isPending ? 'Signing out…' : 'Sign out'}
          </button>
        </div>
      </header>
      <OfflineBanner />
    </>
  );
}
