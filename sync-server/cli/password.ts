import { newPasswordSchema } from '../../shared/api/admin.ts';
import type { CliIo } from './command.ts';
import { UsageError, type FlagValues } from './usage.ts';

export const PASSWORD_ENV = 'CLINICSYNC_NEW_USER_PASSWORD';

export const PASSWORD_HELP = `  --password-stdin   read the password from stdin (one line), e.g. from a password manager;
                     otherwise it is taken from ${PASSWORD_ENV}. Never a flag, never
                     prompted, never printed.`;

/**
 * A new user's password, from stdin or the environment: never from a flag (shell history,
 * process lists) and never echoed, not even in an error.
 */
export async function newPassword(values: FlagValues, io: CliIo, command: string): Promise<string> {
  let password: string | undefined;
  let source: string;
  if (values['password-stdin']) {
    source = 'stdin';
    password = (await io.readStdin()).replace(/\r?\n$/, '');
  } else {
    source = PASSWORD_ENV;
    password = io.env[PASSWORD_ENV];
  }
  if (password === undefined || password === '') {
    throw new UsageError(`"${command}" needs a password: pipe it in with --password-stdin, or set ${PASSWORD_ENV}.`);
  }
  const parsed = newPasswordSchema.safeParse(password);
  if (!parsed.success) throw new UsageError(`The password from ${source} ${parsed.error.issues[0]?.message ?? 'is not valid'}.`);
  return parsed.data;
}
