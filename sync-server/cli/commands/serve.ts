import { ConfigError, loadConfig } from '../../config.ts';
import type { SyncServerOptions } from '../../server.ts';
import { describeFailure } from '../admin-session.ts';
import type { Command } from '../command.ts';
import { chooseDatabase } from '../database.ts';
import { operatorSocketPath } from '../../operator/socket-path.ts';
import { CommandFailure, integerFlag, stringFlag, UsageError } from '../usage.ts';

export const serve: Command = {
  name: 'serve',
  summary: 'Run the sync server (HTTP + WebSocket) until SIGINT/SIGTERM.',
  help: `Usage: clinicsync-server serve [--host HOST] [--port PORT] [--nats-url URL] [--operator-socket PATH|off] [--seed-demo]

  --host HOST      address to listen on (default 127.0.0.1, or CLINICSYNC_HOST)
  --port PORT      0-65535, 0 picks a free port (default 4300, or CLINICSYNC_PORT)
  --nats-url URL   pokes between replicas over NATS JetStream (or CLINICSYNC_NATS_URL);
                   in-process otherwise
  --operator-socket PATH|off
                   Unix socket (mode 0600) on which admin commands that must run in this
                   process arrive, e.g. tenant set-tier (default <data-dir>/admin.sock, or
                   CLINICSYNC_OPERATOR_SOCKET; off: none)
  --seed-demo      create the two demo organizations if missing

Log events (PHI-free JSON lines) go to stdout, warnings and errors to stderr.`,
  flags: {
    host: { type: 'string' },
    port: { type: 'string' },
    'nats-url': { type: 'string' },
    'operator-socket': { type: 'string' },
    'seed-demo': { type: 'boolean' },
  },
  usesDatabase: true,
  run: async (values, io) => {
    let base: SyncServerOptions;
    try {
      // The environment's settings, validated once; flags override them.
      base = loadConfig({ ...io.env, CLINICSYNC_SEED_DEMO: 'false' });
    } catch (error) {
      if (error instanceof ConfigError) throw new UsageError(error.message);
      throw error;
    }
    const port = stringFlag(values, 'port');
    const natsUrl = stringFlag(values, 'nats-url');
    if (natsUrl !== undefined && !/^(nats|tls|wss?):\/\//.test(natsUrl)) throw new UsageError('--nats-url must be a nats:// URL.');
    const database = chooseDatabase(values, io.env);
    const options: SyncServerOptions = {
      ...base,
      host: stringFlag(values, 'host') ?? base.host ?? '127.0.0.1',
      port: port === undefined ? (base.port ?? 4300) : integerFlag(port, 'port', { min: 0, max: 65_535 }),
      database: database.options,
      ...(natsUrl !== undefined ? { bus: { kind: 'nats', servers: natsUrl } } : {}),
      seedDemo: values['seed-demo'] === true,
      operatorSocket: operatorSocketPath(stringFlag(values, 'operator-socket'), stringFlag(values, 'data-dir'), io.env),
    };
    const debug = io.env.CLINICSYNC_LOG_LEVEL === 'debug';
    const { startSyncServer } = await import('../../server.ts');
    const { jsonLineLogger } = await import('../../log.ts');
    let server;
    try {
      server = await startSyncServer({ ...options, log: (event) => (debug || event.level !== 'debug') && jsonLineLogger(event) });
    } catch (error) {
      throw new CommandFailure(`The sync server could not start (${database.description}): ${describeFailure(error)}.`);
    }
    io.out(`Clinicsync sync server listening on ${server.url} (${database.description}; bus: ${options.bus?.kind ?? 'memory'})\n`);
    if (server.operatorSocket) io.out(`  operator socket: ${server.operatorSocket}\n`);
    for (const org of server.demo?.orgs ?? []) io.out(`  demo org "${org.code}": users ${org.users.map((user) => user.username).join(', ')}\n`);
    const signal = await io.stopRequested();
    io.out(`${signal} received, stopping\n`);
    await server.close();
    return 0;
  },
};
