import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { readAppError } from '../api/errors.ts';
import { keys } from '../api/keys.ts';
import type { SessionStatus } from '../api/types.ts';
import { Alert } from '../ui/Alert.tsx';
import { TextField } from '../ui/TextField.tsx';
import { signInErrorTitle } from './sign-in-error.ts';
import { useKnownOrgs, useSignIn } from './use-session.ts';

/** The radio value for "an org not listed here": its code is typed. */
const OTHER = '';

/**
 * "Switch organization": the signed-in person's orgs on this workstation
 * (session.knownOrgs), then an ordinary sign-in to the chosen one with the password asked
 * again. The workstation opens the other org first and closes this one only once it has,
 * so a switch that fails (wrong password, or offline: never signed in there, its copy
 * damaged) leaves the person where they were, with the reason in this dialog. A switch that
 * succeeds clears every cached screen, so nothing of one org is ever shown in the other.
 * Works offline for an org already on this workstation, within its offline window.
 */
export function OrgSwitcher({ session }: { session: SessionStatus }) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <button type="button" aria-haspopup="dialog" onClick={() => setOpen(true)}>
        Switch organization
      </button>
      {open && <SwitchDialog session={session} onClose={() => setOpen(false)} />}
    </>
  );
}

function SwitchDialog({ session, onClose }: { session: SessionStatus; onClose: () => void }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const password = useRef<HTMLInputElement>(null);
  const titleId = useId();
  const known = useKnownOrgs(true);
  const others = (known.data ?? []).filter((org) => !org.current);
  const signIn = useSignIn();
  const queryClient = useQueryClient();
  const [choice, setChoice] = useState<string | null>(null);
  const [code, setCode] = useState('');
  const [username, setUsername] = useState(session.user?.username ?? '');
  const [secret, setSecret] = useState('');
  const [errors, setErrors] = useState<{ code?: string; username?: string; password?: string }>({});
  const selected = choice ?? others[0]?.code ?? OTHER;

  useEffect(() => {
    // Modal: focus stays inside, Escape closes, and focus returns to the opener.
    dialog.current?.showModal();
    password.current?.focus();
  }, []);

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const org = selected === OTHER ? code.trim() : selected;
    const found = {
      ...(org ? {} : { code: 'Organization code is required' }),
      ...(username.trim() ? {} : { username: 'Username is required' }),
      ...(secret ? {} : { password: 'Password is required' }),
    };
    setErrors(found);
    if (Object.keys(found).length > 0) return;
    signIn.mutate(
      { org, username: username.trim(), password: secret },
      {
        onSuccess: onClose,
        // A failed switch keeps this org open; the session is re-read anyway, so anything
        // else that ended it meanwhile (a lock, damage found) shows at once.
        onError: () => void queryClient.invalidateQueries({ queryKey: keys.session }),
        onSettled: () => setSecret(''),
      },
    );
  }

  const failure = signIn.isError ? readAppError(signIn.error) : null;
  return (
    <dialog ref={dialog} className="dialog" aria-labelledby={titleId} onClose={onClose}>
      <form onSubmit={onSubmit} noValidate>
        <h2 id={titleId}>Switch organization</h2>
        <p className="muted">
          Signed in to {session.org?.name}. The other organization opens in its place; enter your password for it.
        </p>
        {failure && <Alert tone="error" title={signInErrorTitle(failure)}>{failure.message}</Alert>}
        <fieldset className="org-choices">
          <legend>Organization</legend>
          {known.isPending && <p className="muted small">Loading the organizations on this workstation…</p>}
          {others.map((org) => (
            <label key={org.tenantId} className="choice">
              <input type="radio" name="org" value={org.code} checked={selected === org.code} onChange={() => setChoice(org.code)} />
              {org.name} <span className="muted small">({org.code})</span>
            </label>
          ))}
          <label className="choice">
            <input type="radio" name="org" value={OTHER} checked={selected === OTHER} onChange={() => setChoice(OTHER)} />
            Another organization
          </label>
          {selected === OTHER && (
            <TextField
              label="Organization code"
              name="org-code"
              autoCapitalize="none"
              spellCheck={false}
              value={code}
              onChange={(event) => setCode(event.currentTarget.value)}
              error={errors.code}
            />
          )}
        </fieldset>
        <TextField
          label="Username"
          name="username"
          autoComplete="username"
          autoCapitalize="none"
          spellCheck={false}
          value={username}
          onChange={(event) => setUsername(event.currentTarget.value)}
          error={errors.username}
        />
        <TextField
          label="Password"
          name="password"
          type="password"
          autoComplete="current-password"
          inputRef={password}
          value={secret}
          onChange={(event) => setSecret(event.currentTarget.value)}
          error={errors.password}
        />
        <div className="dialog-actions">
          <button type="submit" className="primary" disabled={signIn.isPending}>
            {signIn.isPending ? 'Switching…' : 'Switch'}
          </button>
          <button type="button" onClick={() => dialog.current?.close()} disabled={signIn.isPending}>
            Cancel
          </button>
        </div>
      </form>
    </dialog>
  );
}
