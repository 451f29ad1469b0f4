import { useState, type FormEvent } from 'react';
import { readAppError } from '../api/errors.ts';
import { Alert } from '../ui/Alert.tsx';
import { TextField } from '../ui/TextField.tsx';
import { signInErrorTitle } from './sign-in-error.ts';
import { useSignIn } from './use-session.ts';

type Values = { org: string; username: string; password: string };
type Errors = Partial<Record<keyof Values, string>>;

const LABELS: Record<keyof Values, string> = { org: 'Organization code', username: 'Username', password: 'Password' };

function validate(values: Values): Errors {
  const errors: Errors = {};
  for (const key of Object.keys(LABELS) as (keyof Values)[]) {
    if (!values[key].trim()) errors[key] = `${LABELS[key]} is required`;
  }
  return errors;
}

/**
 * `managedOrg`: the machine policy's org on a managed workstation. It fills the org field
 * and the cursor starts at the username; the field stays editable for people who work
 * for more than one org.
 */
export function SignInScreen({ serverUrl, notice, managedOrg }: { serverUrl: string | undefined; notice?: string | undefined; managedOrg?: string | undefined }) {
  const signIn = useSignIn();
  const [values, setValues] = useState<Values>({ org: managedOrg ?? '', username: '', password: '' });
  const [errors, setErrors] = useState<Errors>({});
  const set = (key: keyof Values) => (event: { currentTarget: HTMLInputElement }) => {
    const value = event.currentTarget.value;
    setValues((current) => ({ ...current, [key]: value }));
  };

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const found = validate(values);
    setErrors(found);
    if (Object.keys(found).length > 0) return;
    signIn.mutate({ org: values.org.trim(), username: values.username.trim(), password: values.password });
  }

  const failure = signIn.isError ? readAppError(signIn.error) : null;

  return (
    <main className="sign-in">
      <div className="sign-in-card">
        <h1>Clinicsync</h1>
        <p className="muted">Sign in to your organization</p>
        {notice && !failure && <Alert tone="info">{notice}</Alert>}
        {failure && <Alert tone="error" title={signInErrorTitle(failure)}>{failure.message}</Alert>}
        <form onSubmit={onSubmit} noValidate aria-label="Sign in">
          <TextField
            label={LABELS.org}
            name="org"
            autoComplete="organization"
            autoCapitalize="none"
            spellCheck={false}
            value={values.org}
            onChange={set('org')}
            error={errors.org}
            hint={managedOrg ? 'Set up for this workstation by IT. You can change it to sign in to another organization.' : undefined}
            autoFocus={!managedOrg}
          />
          <TextField label={LABELS.username} name="username" autoComplete="username" autoCapitalize="none" spellCheck={false} value={values.username} onChange={set('username')} error={errors.username} autoFocus={Boolean(managedOrg)} />
          <TextField label={LABELS.password} name="password" type="password" autoComplete="current-password" value={values.password} onChange={set('password')} error={errors.password} />
          <button type="submit" className="primary" disabled={signIn.isPending}>
            {signIn.isPending ? 'Signing in…' : 'Sign in'}
          </button>
        </form>
        {serverUrl && <p className="muted small">Server: {serverUrl}</p>}
      </div>
    </main>
  );
}
