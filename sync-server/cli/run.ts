import { AppError } from '../../shared/errors.ts';
import { describeFailure } from './admin-session.ts';
import type { CliIo, Command } from './command.ts';
import { findCommand, overview, subcommandsOf } from './commands.ts';
import { DATABASE_FLAGS, DATABASE_HELP } from './database.ts';
import { CommandFailure, parseFlags, UsageError } from './usage.ts';

const PROGRAM = 'clinicsync-server';

export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

/**
 * Runs one command line and returns the exit code. Every failure becomes one or two
 * sentences on stderr (no stack trace, no SQL, no URL, no password): usage errors exit 2,
 * failures 1.
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const [first] = argv;
  if (first === undefined) {
    io.err(overview());
    return EXIT.usage;
  }
  if (first === '--help' || first === '-h' || first === 'help') {
    io.out(overview());
    return EXIT.ok;
  }
  const found = findCommand(argv);
  if (!found) return usageError(io, unknownCommand(argv), `Run "${PROGRAM} --help" for the commands.`);

  const { command, words } = found;
  const rest = argv.slice(words);
  if (rest.includes('--help') || rest.includes('-h')) {
    io.out(helpOf(command));
    return EXIT.ok;
  }
  try {
    const values = parseFlags(command.name, rest, { ...command.flags, ...(command.usesDatabase ? DATABASE_FLAGS : {}) });
    return await command.run(values, io);
  } catch (error) {
    if (error instanceof UsageError) return usageError(io, error.message, `Run "${PROGRAM} ${command.name} --help" for its options.`);
    if (error instanceof AppError && error.code === 'VALIDATION') return usageError(io, error.message, `Run "${PROGRAM} ${command.name} --help" for its options.`);
    const message = error instanceof AppError || error instanceof CommandFailure ? error.message : `${describeFailure(error)}.`;
    io.err(`${PROGRAM} ${command.name}: ${capitalize(message)}\n`);
    return EXIT.failed;
  }
}

function helpOf(command: Command): string {
  return `${command.summary}\n\n${command.help}\n${command.usesDatabase ? `\n${DATABASE_HELP}\n` : ''}`;
}

function unknownCommand(argv: readonly string[]): string {
  const [group, sub] = argv;
  const subs = subcommandsOf(group ?? '');
  if (subs.length > 0) {
    return sub === undefined || sub.startsWith('-')
      ? `"${group}" needs a command: ${subs.join(', ')}.`
      : `Unknown ${group} command "${sub}"; expected one of ${subs.join(', ')}.`;
  }
  return `Unknown command "${group}".`;
}

function usageError(io: CliIo, message: string, hint: string): number {
  io.err(`${PROGRAM}: ${message}\n${hint}\n`);
  return EXIT.usage;
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
