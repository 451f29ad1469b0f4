import {
  DEFAULT_AGENT_CONFIG,
  agentConfigSchema,
  type AgentConfigUpdateInput,
  type AgentConfigView,
} from '../../../shared/api/configuration.ts';
import type { DomainDb } from '../../db/domain-db.ts';
import { assertVersion } from '../lost-update.ts';
import { NO_POKE, writeWithFeed, type FeedNotify } from '../../sync/feed-transaction.ts';

// numeric comes back as a string from pg; float8 is a number on both drivers.
const AGENT_SELECT = `coding_rules AS "codingRules", auto_submit_max_amount::float8 AS "autoSubmitMaxAmount",
  review_above_amount::float8 AS "reviewAboveAmount", max_days_to_submit AS "maxDaysToSubmit",
  denial_rate_alert_percent::float8 AS "denialRateAlertPercent", communication, version`;

interface AgentRow {
  codingRules: unknown;
  autoSubmitMaxAmount: number;
  reviewAboveAmount: number;
  maxDaysToSubmit: number;
  denialRateAlertPercent: number;
  communication: unknown;
  version: number;
}

/**
 * Stored documents are parsed again on the way out: a row written by an older schema
 * fails loudly here (INTERNAL, logged by code) instead of reaching an agent half-valid.
 */
function view(row: AgentRow): AgentConfigView {
  const { version, codingRules, communication, ...claimThresholds } = row;
  const parsed = agentConfigSchema.safeParse({ codingRules, claimThresholds, communication });
  // A plain Error, not the ZodError: this is the server's fault, not the caller's input.
  if (!parsed.success) throw new Error('stored agent configuration does not match its schema');
  return { ...parsed.data, version };
}

/** configuration: how the org's agents code, submit claims and talk to patients. */
export class AgentConfigService {
  private readonly db: DomainDb;
  private readonly notify: FeedNotify;

  constructor(db: DomainDb, notify: FeedNotify = NO_POKE) {
    this.db = db;
    this.notify = notify;
  }

  /** The org's own configuration, or the defaults (version 0) until an admin saves one. */
  async get(tenantId: string): Promise<AgentConfigView> {
    const rows = await this.db.withTenant(tenantId, (sql) =>
      sql.query<AgentRow>(`SELECT ${AGENT_SELECT} FROM configuration.agent_configs WHERE tenant_id = $1`, [tenantId]),
    );
    return rows[0] ? view(rows[0]) : { ...DEFAULT_AGENT_CONFIG, version: 0 };
  }

  async update(tenantId: string, userId: string, input: AgentConfigUpdateInput): Promise<AgentConfigView> {
    // The feed carries the coding rules and communication preferences only (configuration-feed.ts).
    const row = await writeWithFeed(this.db, 'configuration', tenantId, this.notify, async (sql, feed) => {
      feed.touch('agent_config', tenantId);
      const current = await sql.query<{ version: number }>('SELECT version FROM configuration.agent_configs WHERE tenant_id = $1 FOR UPDATE', [tenantId]);
      assertVersion('agent configuration', current[0]?.version ?? 0, input.expectedVersion);
      const t = input.claimThresholds;
      const rows = await sql.query<AgentRow>(
        `INSERT INTO configuration.agent_configs AS a
           (tenant_id, updated_by, coding_rules, auto_submit_max_amount, review_above_amount, max_days_to_submit, denial_rate_alert_percent, communication)
         VALUES ($1, $2, $3::jsonb, $4, $5, $6, $7, $8::jsonb)
         ON CONFLICT (tenant_id) DO UPDATE SET
           updated_by = EXCLUDED.updated_by, coding_rules = EXCLUDED.coding_rules,
           auto_submit_max_amount = EXCLUDED.auto_submit_max_amount, review_above_amount = EXCLUDED.review_above_amount,
           max_days_to_submit = EXCLUDED.max_days_to_submit, denial_rate_alert_percent = EXCLUDED.denial_rate_alert_percent,
           communication = EXCLUDED.communication, version = a.version + 1, updated_at = now()
         RETURNING ${AGENT_SELECT}`,
        [tenantId, userId, JSON.stringify(input.codingRules), t.autoSubmitMaxAmount, t.reviewAboveAmount, t.maxDaysToSubmit, t.denialRateAlertPercent, JSON.stringify(input.communication)],
      );
      return rows[0]!;
    });
    return view(row);
  }
}
