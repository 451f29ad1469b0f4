import { parseArgs, type ParseArgsOptionsConfig } from 'node:util';
import type { z } from 'zod';

/** Bad input on the command line: exit code 2, one clear sentence, the command's help hint. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** The command ran and failed (not found, conflict, unreachable database, broken chain): exit code 1. */
export class CommandFailure extends Error {
  override name = 'CommandFailure';
}

export type FlagValues = Record<string, string | boolean | undefined>;

/**
 * Parses one command's flags with util.parseArgs (strict: unknown flags and stray words
 * are usage errors). Node's messages are rephrased so they name the flag and the command.
 */
export function parseFlags(command: string, args: readonly string[], options: ParseArgsOptionsConfig): FlagValues {
  try {
    return parseArgs({ args: [...args], options, strict: true, allowPositionals: false }).values as FlagValues;
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    const message = error instanceof Error ? error.message : '';
    const quoted = /'([^']+)'/.exec(message)?.[1] ?? '';
    const flag = quoted.split(/[ ,]/).find((part) => part.startsWith('--')) ?? quoted;
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
      if (/^--?password$/.test(flag)) {
        throw new UsageError(`"${command}" does not take a password as a flag (it would stay in shell history); use --password-stdin.`);
      }
      throw new UsageError(`Unknown option ${flag} for "${command}".`);
    }
    if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
      if (/does not take an argument/.test(message)) throw new UsageError(`The option ${flag} of "${command}" takes no value.`);
      throw new UsageError(`The option ${flag} of "${command}" needs a value.`);
    }
    if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') {
      throw new UsageError(`Unexpected argument "${quoted}" for "${command}" (values go after their --flag).`);
    }
    throw new UsageError(`Could not read the options of "${command}".`);
  }
}

export function stringFlag(values: FlagValues, name: string): string | undefined {
  const value = values[name];
  return typeof value === 'string' ? value : undefined;
}

export function requiredFlag(values: FlagValues, name: string, command: string): string {
  const value = stringFlag(values, name);
  if (value === undefined || value.trim() === '') throw new UsageError(`"${command}" needs --${name}.`);
  return value;
}

/**
 * Checks a flag's value against a shared schema. The value is quoted back only when it is
 * safe to (codes, roles, tiers), never for names or passwords.
 */
export function validFlag<T>(schema: z.ZodType<T>, value: string, flag: string, options: { echo: boolean } = { echo: true }): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const reason = parsed.error.issues[0]?.message ?? 'is not valid';
  const shown = options.echo ? ` "${value}"` : '';
  throw new UsageError(`--${flag}${shown}: ${reason}.`);
}

export function integerFlag(value: string, flag: string, range: { min: number; max: number }): number {
  if (!/^\d+$/.test(value) || Number(value) < range.min || Number(value) > range.max) {
    throw new UsageError(`--${flag} "${value}": must be a whole number from ${range.min} to ${range.max}.`);
  }
  return Number(value);
}

export function oneOf<T extends string>(value: string, allowed: readonly T[], flag: string): T {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new UsageError(`--${flag} "${value}": must be one of ${allowed.join(', ')}.`);
}
