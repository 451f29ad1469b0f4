import { DOMAINS } from '../../../shared/domains.ts';
import { schemaOf } from '../../db/domain-db.ts';
import { ident } from '../../db/sql.ts';
import { auditedCommand, withAdminSession } from '../admin-session.ts';
import type { Command } from '../command.ts';
import { json } from '../output.ts';

export const migrate: Command = {
  name: 'migrate',
  summary: 'Create the eight domain databases if missing and apply pending migrations.',
  help: `Usage: clinicsync-server migrate [--json]

Creates the databases and roles if missing, applies every pending migration in order
(safe to run while other replicas start: migrations take turns under a lock), and
re-asserts the roles' privileges. The server does the same on start.

  --json   print {engine, domains, migrations} as JSON`,
  flags: { json: { type: 'boolean' } },
  usesDatabase: true,
  run: async (values, io) => {
    const result = await withAdminSession(values, io, ({ core, database }) =>
      // Opening the session migrated; this reads back what is applied, per domain.
      auditedCommand(core, 'migrate', null, async (trail) => {
        const migrations: Record<string, number> = {};
        for (const domain of DOMAINS) {
          const [row] = await core.databases.inspect(domain, (sql) =>
            sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${ident(schemaOf(domain))}.schema_migrations`),
          );
          migrations[domain] = row?.n ?? 0;
        }
        trail.touched('schema_migrations', []);
        trail.note('engine', core.databases.engine);
        return { engine: core.databases.engine, where: database.description, domains: DOMAINS.length, migrations };
      }),
    );
    if (values.json) io.out(json(result));
    else {
      const total = Object.values(result.migrations).reduce((sum, n) => sum + n, 0);
      io.out(`Migrated ${result.domains} domain databases (${result.where}): ${total} migrations applied in all.\n`);
    }
    return 0;
  },
};
