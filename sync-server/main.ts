import { ConfigError, describeConfig, loadConfig } from './config.ts';
import { jsonLineLogger } from './log.ts';
import { startSyncServer } from './server.ts';

/** `node sync-server/main.ts`: configuration from the environment, stops on SIGINT/SIGTERM. */
async function main(): Promise<void> {
  let options;
  try {
    options = loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  // Debug events (every system access) only when asked for.
  const debug = process.env.CLINICSYNC_LOG_LEVEL === 'debug';
  const server = await startSyncServer({ ...options, log: (event) => (debug || event.level !== 'debug') && jsonLineLogger(event) });
  process.stdout.write(`Clinicsync sync server listening on ${server.url} (${describeConfig(options)})\n`);
  if (server.operatorSocket) process.stdout.write(`  operator socket (for clinicsync-server tenant set-tier): ${server.operatorSocket}\n`);
  for (const org of server.demo?.orgs ?? []) {
    const users = org.users.map((u) => u.username).join(', ');
    process.stdout.write(`  demo org "${org.code}" (${org.name}): users ${users}; password ${org.users[0]?.password ?? ''}\n`);
  }
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`${signal} received, stopping\n`);
    server.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((error: unknown) => {
  process.stderr.write(`The sync server could not start: ${error instanceof Error ? error.name : 'error'}${error instanceof Error && !/postgres:\/\//.test(error.message) ? `: ${error.message}` : ''}\n`);
  process.exit(1);
});
