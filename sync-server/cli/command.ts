import type { ParseArgsOptionsConfig } from 'node:util';
import type { FlagValues } from './usage.ts';

/** What a command may touch of the process: output streams, the environment, stdin. */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  env: Record<string, string | undefined>;
  /** All of stdin (for --password-stdin); empty when stdin is a terminal or closed. */
  readStdin(): Promise<string>;
  /** Resolves when the process is asked to stop (SIGINT/SIGTERM), for `serve`. */
  stopRequested(): Promise<string>;
}

export interface Command {
  /** The words that select it: "tenant create". */
  name: string;
  summary: string;
  /** Usage line(s) and the command's own flags; the database flags are appended by the runner. */
  help: string;
  flags: ParseArgsOptionsConfig;
  /** Whether the database flags apply (every command here opens the databases). */
  usesDatabase: boolean;
  /** Returns the exit code (0 = done). Throws UsageError (2), CommandFailure / AppError (1). */
  run(values: FlagValues, io: CliIo): Promise<number>;
}
