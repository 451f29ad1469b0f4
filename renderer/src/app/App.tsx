import { useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { readAppError } from '../api/errors.ts';
import { keys } from '../api/keys.ts';
import { MainLayout } from '../layout/MainLayout.tsx';
import { SignInScreen } from '../session/SignInScreen.tsx';
import { UnlockScreen } from '../session/UnlockScreen.tsx';
import { useSession } from '../session/use-session.ts';
import { Alert } from '../ui/Alert.tsx';

/** Signed out → sign-in screen; locked → unlock screen; signed in → the workstation. Nothing else decides this. */
export function App() {
  const session = useSession();
  const queryClient = useQueryClient();
  const signedIn = session.data?.state === 'signed_in';
  useEffect(() => {
    // However the session ended (sign-out, lock, another window), no PHI stays cached.
    if (!signedIn) queryClient.removeQueries({ predicate: (query) => query.queryKey[0] !== keys.session[0] });
  }, [signedIn, queryClient]);
  if (session.isPending) {
    return (
      <main className="center">
        <p className="muted">Starting Clinicsync…</p>
      </main>
    );
  }
  if (session.isError) {
    return (
      <main className="center">
        <Alert tone="error" title="Clinicsync could not start">
          {readAppError(session.error).message}
        </Alert>
        <button type="button" onClick={() => void session.refetch()}>
          Try again
        </button>
      </main>
    );
  }
  if (session.data.state === 'locked') return <UnlockScreen session={session.data} />;
  if (session.data.state !== 'signed_in') return <SignInScreen serverUrl={session.data.serverUrl} notice={session.data.notice} managedOrg={session.data.managedOrg} />;
  return <MainLayout session={session.data} />;
}
