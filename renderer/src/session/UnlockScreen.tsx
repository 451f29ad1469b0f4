import { useState, type FormEvent } from 'react';
import { readAppError } from '../api/errors.ts';
import type { SessionStatus } from '../api/types.ts';
import { Alert } from '../ui/Alert.tsx';
import { TextField } from '../ui/TextField.tsx';
import { useSignOut, useUnlock } from './use-session.ts';

const REASONS: Record<NonNullable<SessionStatus['lockReason']>, string> = {
  idle: 'The screen locked after a while without activity.',
  manual: 'The screen is locked.',
  break_glass_ended: 'Emergency access has ended.',
};

/**
 * A locked session: the same person's password unlocks it; anyone else signs out first.
 * It replaces the whole workstation (App renders nothing else and drops cached data), so
 * no patient data is in the page behind it.
 */
export function UnlockScreen({ session }: { session: SessionStatus }) {
  const unlock = useUnlock();
  const signOut = useSignOut();
  const [password, setPassword] = useState('');
  const [missing, setMissing] = useState(false);

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setMissing(!password);
    if (password) unlock.mutate(password, { onSettled: () => setPassword('') });
  }

  const failure = unlock.isError ? readAppError(unlock.error) : null;
  return (
    <main className="sign-in">
      <div className="sign-in-card">
        <h1>Locked</h1>
        <dl className="lock-who">
          <dt>Signed in</dt>
          <dd>{session.user?.displayName}</dd>
          <dt>Organization</dt>
          <dd>{session.org?.name}</dd>
        </dl>
        {session.lockReason && <Alert tone="info">{REASONS[session.lockReason]}</Alert>}
        {failure && <Alert tone="error" title="Not unlocked">{failure.message}</Alert>}
        <form onSubmit={onSubmit} noValidate aria-label="Unlock">
          <TextField
            label="Password"
            name="password"
            type="password"
            autoComplete="current-password"
            value={password}
            onChange={(event) => setPassword(event.currentTarget.value)}
            error={missing ? 'Password is required' : undefined}
            autoFocus
          />
          <button type="submit" className="primary" disabled={unlock.isPending}>
            {unlock.isPending ? 'Unlocking…' : 'Unlock'}
          </button>
        </form>
        <div className="lock-other">
          <p className="muted small">Not {session.user?.displayName}? Sign out, then sign in as yourself. Saved work stays on this workstation.</p>
          <button type="button" onClick={() => signOut.mutate()} disabled={signOut.isPending}>
            Sign out
          </button>
        </div>
      </div>
    </main>
  );
}
