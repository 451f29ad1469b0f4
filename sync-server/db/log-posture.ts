import type { Logger } from '../log.ts';
import type { PhysicalDatabases, SessionSetting } from './domain-db.ts';

/** The variable that turns the warning into a refusal to start (sync-server/config.ts). */
export const REQUIRE_SAFE_PG_LOGGING_VAR = 'CLINICSYNC_REQUIRE_SAFE_PG_LOGGING';

/** One session's view: a setting's value, null when this server does not know it (auto_explain not loaded). */
type View = (name: string) => string | null;

interface Rule {
  setting: string;
  /** Would this session's statements put bind parameters (patient data) into the server log? */
  risky(view: View): boolean;
  safe: string;
  /** What the operator sets (named in the log line and the refusal). */
  fix: string;
}

// current_setting shows units ('250ms', '64B') except for 0 and -1, which are exactly what these compare with.
const isOn = (value: string | null): boolean => value !== null && value !== '-1';
const positive = (value: string | null): boolean => value !== null && Number.parseFloat(value) > 0;
/** Statement-logging messages (log_statement, durations, samples) carry the parameters unless this is 0. */
const paramsLogged = (view: View): boolean => view('log_parameter_max_length') !== '0';
const SUPERUSER = 'superuser-only: postgresql.conf, ALTER SYSTEM, or remove the ALTER DATABASE/ROLE … SET';
const OR_NO_PARAMS = 'or log_parameter_max_length = 0 to keep statement logging without parameters';

/**
 * What puts bind parameters into PostgreSQL's own log (15; 13+ for the parameter lengths).
 * Statement text alone is not a finding: ours is SQL with placeholders, never values.
 */
const RULES: readonly Rule[] = [
  {
    setting: 'log_statement',
    risky: (view) => ['mod', 'all'].includes(view('log_statement') ?? '') && paramsLogged(view),
    safe: 'none',
    fix: `log_statement = none (or ddl), ${OR_NO_PARAMS} (${SUPERUSER})`,
  },
  {
    setting: 'log_min_duration_statement',
    risky: (view) => isOn(view('log_min_duration_statement')) && paramsLogged(view),
    safe: '-1',
    fix: `log_min_duration_statement = -1, ${OR_NO_PARAMS} (${SUPERUSER})`,
  },
  {
    setting: 'log_min_duration_sample',
    risky: (view) => isOn(view('log_min_duration_sample')) && positive(view('log_statement_sample_rate')) && paramsLogged(view),
    safe: '-1',
    fix: `log_min_duration_sample = -1 (or log_statement_sample_rate = 0), ${OR_NO_PARAMS} (${SUPERUSER})`,
  },
  {
    setting: 'log_transaction_sample_rate',
    risky: (view) => positive(view('log_transaction_sample_rate')) && paramsLogged(view),
    safe: '0',
    fix: `log_transaction_sample_rate = 0, ${OR_NO_PARAMS} (${SUPERUSER})`,
  },
  {
    // The server sets 0 on its roles (db/roles.ts ROLE_SETTINGS); only a more specific setting overrides it.
    setting: 'log_parameter_max_length_on_error',
    risky: (view) => view('log_parameter_max_length_on_error') !== '0',
    safe: '0',
    fix: 'log_parameter_max_length_on_error = 0: remove the ALTER ROLE … IN DATABASE … SET (or pooler/connection option) that overrides the role default the server sets',
  },
  {
    // A custom plan quotes parameter values as constants in the plan it logs (and from 16 on it logs the parameters too).
    setting: 'auto_explain.log_min_duration',
    risky: (view) => isOn(view('auto_explain.log_min_duration')),
    safe: '-1',
    fix: `auto_explain.log_min_duration = -1, or do not load auto_explain (${SUPERUSER})`,
  },
  {
    // Plan trees of custom plans hold the parameter values as constants.
    setting: 'debug_print_plan',
    risky: (view) => view('debug_print_plan') === 'on',
    safe: 'off',
    fix: 'debug_print_plan = off (remove the ALTER DATABASE/ROLE … SET or postgresql.conf line)',
  },
];

const READ = [
  ...new Set([
    ...RULES.map((rule) => rule.setting),
    'log_parameter_max_length',
    'log_statement_sample_rate',
  ]),
];

/** One risky setting with one value, and the domain databases and pools (`domain:pool`) that see it. */
export interface LogPostureFinding {
  setting: string;
  value: string;
  safe: string;
  fix: string;
  /** 'all', or the `domain:pool` pairs that see it. */
  seenBy: string;
}

export class UnsafePostgresLoggingError extends Error {
  override name = 'UnsafePostgresLoggingError';
}

/**
 * The start-up check of PostgreSQL's logging posture, as the server's own connections see
 * it (every held domain database, app and system pool: ALTER DATABASE and ALTER ROLE values
 * differ per database and role). One `postgres_log_posture` warning per risky setting,
 * naming the setting, its value and the safe value, never data. With `refuse`
 * (CLINICSYNC_REQUIRE_SAFE_PG_LOGGING=1) a finding stops the start. PGlite has no server
 * log and no sessionSettings: nothing to check. `deployment`: an org's dedicated databases
 * (their prefix), checked when the server first opens them (placement/dedicated-deployments.ts):
 * they may be on another PostgreSQL server, with settings of their own.
 */
export async function checkPostgresLogPosture(databases: PhysicalDatabases, log: Logger, options: { refuse: boolean; deployment?: string }): Promise<LogPostureFinding[]> {
  if (!databases.sessionSettings) return [];
  const findings = assess(await databases.sessionSettings(READ));
  const where = options.deployment === undefined ? {} : { deployment: options.deployment };
  for (const finding of findings) log({ level: 'warn', event: 'postgres_log_posture', ...finding, ...where });
  if (options.refuse && findings.length > 0) {
    const listed = findings.map((f) => `${f.setting} = ${f.value} (seen by ${f.seenBy}); set ${f.fix}`);
    const which = options.deployment === undefined ? 'PostgreSQL' : `PostgreSQL (the dedicated databases ${options.deployment}_*)`;
    throw new UnsafePostgresLoggingError(
      `${which} would write bind parameters (patient data) to its server log, and ${REQUIRE_SAFE_PG_LOGGING_VAR}=1:\n  ${listed.join('\n  ')}`,
    );
  }
  return findings;
}

/** Findings grouped by setting and value over every session view. */
function assess(rows: readonly SessionSetting[]): LogPostureFinding[] {
  const views = new Map<string, Map<string, string | null>>();
  for (const row of rows) {
    const key = `${row.domain}:${row.pool}`;
    const view = views.get(key) ?? new Map<string, string | null>();
    view.set(row.name, row.value);
    views.set(key, view);
  }
  const found = new Map<string, { rule: Rule; value: string; seenBy: string[] }>();
  for (const [key, values] of views) {
    const view: View = (name) => values.get(name) ?? null;
    for (const rule of RULES) {
      if (!rule.risky(view)) continue;
      const value = view(rule.setting) ?? '';
      const group = found.get(`${rule.setting}=${value}`) ?? { rule, value, seenBy: [] };
      group.seenBy.push(key);
      found.set(`${rule.setting}=${value}`, group);
    }
  }
  return [...found.values()].map(({ rule, value, seenBy }) => ({
    setting: rule.setting,
    value,
    safe: rule.safe,
    fix: rule.fix,
    seenBy: seenBy.length === views.size ? 'all' : seenBy.sort().join(', '),
  }));
}
