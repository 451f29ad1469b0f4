#!/usr/bin/env node
// `clinicsync-server <command>` (also `npm run server -- <command>`): the admin command
// line. Node 24 runs this TypeScript file directly (type stripping).
import { text } from 'node:stream/consumers';
import type { CliIo } from './command.ts';
import { runCli } from './run.ts';

const io: CliIo = {
  out: (chunk) => process.stdout.write(chunk),
  err: (chunk) => process.stderr.write(chunk),
  env: process.env,
  readStdin: async () => (process.stdin.isTTY ? '' : text(process.stdin)),
  stopRequested: () =>
    new Promise((resolve) => {
      process.once('SIGINT', () => resolve('SIGINT'));
      process.once('SIGTERM', () => resolve('SIGTERM'));
    }),
};

let code: number;
try {
  code = await runCli(process.argv.slice(2), io);
} catch {
  // runCli maps every error itself; this is the last line of defence against a stack trace.
  process.stderr.write('clinicsync-server: unexpected failure.\n');
  code = 1;
}
// Database pools are closed by now; exit even if a library left a timer running.
process.stdout.write('', () => process.exit(code));
