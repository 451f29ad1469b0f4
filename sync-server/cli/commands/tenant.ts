import { displayNameSchema } from '../../../shared/api/admin.ts';
import { resolve } from 'node:path';
import { AppError } from '../../../shared/errors.ts';
import { orgCodeSchema } from '../../../shared/sync/auth.ts';
import type { TierResult } from '../../admin/placement-admin.ts';
import { ISOLATION_TIERS } from '../../domains/tenant_info/tenants.ts';
import { deploymentKey } from '../../operator/deployment-key.ts';
import { OperatorSocketError, sendOperatorRequest } from '../../operator/operator-client.ts';
import { setTierAudited, type SetTierInput } from '../../operator/set-tier.ts';
import { operatorSocketPath } from '../../operator/socket-path.ts';
import { auditedCommand, withAdminSession } from '../admin-session.ts';
import type { Command } from '../command.ts';
import { chooseDatabase } from '../database.ts';
import { json, keyValues, table } from '../output.ts';
import { CommandFailure, oneOf, requiredFlag, stringFlag, validFlag, type FlagValues } from '../usage.ts';
import { tenantRefFlag } from './tenant-ref.ts';

const KINDS = ['human', 'veterinary'] as const;

export const tenantCreate: Command = {
  name: 'tenant create',
  summary: 'Create an organization (shared tier).',
  help: `Usage: clinicsync-server tenant create --code CODE --name NAME [--kind human|veterinary] [--json]

  --code CODE    the org's sign-in code: a-z, 0-9 and -, 2 to 40 characters
  --name NAME    the org's display name
  --kind KIND    human (default) or veterinary
  --json         print {tenantId, code, name, kind} as JSON`,
  flags: { code: { type: 'string' }, name: { type: 'string' }, kind: { type: 'string' }, json: { type: 'boolean' } },
  usesDatabase: true,
  run: async (values, io) => {
    const code = validFlag(orgCodeSchema, requiredFlag(values, 'code', 'tenant create'), 'code');
    const name = validFlag(displayNameSchema, requiredFlag(values, 'name', 'tenant create'), 'name', { echo: false });
    const kind = oneOf(stringFlag(values, 'kind') ?? 'human', KINDS, 'kind');
    const created = await withAdminSession(values, io, ({ core }) =>
      auditedCommand(core, 'tenant.create', null, async (trail) => {
        // Checked first so the answer is a sentence, not a unique-key violation.
        if (await core.admin.findTenantByCode(code)) throw new AppError('CONFLICT', `An organization with the code "${code}" already exists.`);
        const { tenantId } = await core.admin.createTenant({ code, name, kind });
        trail.tenantId = tenantId; // the org's own chain starts with its creation
        trail.touched('tenant', [tenantId]);
        return { tenantId, code, name, kind };
      }),
    );
    io.out(values.json ? json(created) : `Created organization "${created.code}" (${created.name}), id ${created.tenantId}.\n`);
    return 0;
  },
};

export const tenantList: Command = {
  name: 'tenant list',
  summary: 'List every organization with its tier and status.',
  help: `Usage: clinicsync-server tenant list [--json]

  --json         print the list as a JSON array`,
  flags: { json: { type: 'boolean' } },
  usesDatabase: true,
  run: async (values, io) => {
    const tenants = await withAdminSession(values, io, ({ core }) =>
      auditedCommand(core, 'tenant.list', null, async (trail) => {
        const list = await core.admin.listTenants();
        trail.touched('tenant', list.map((tenant) => tenant.tenantId));
        return list;
      }),
    );
    io.out(values.json ? json(tenants) : table(tenants, ['code', 'name', 'kind', 'tier', 'status', 'tenantId', 'createdAt'], 'No organizations yet.'));
    return 0;
  },
};

export const tenantShow: Command = {
  name: 'tenant show',
  summary: "Show one organization: tier, placement, people and devices.",
  help: `Usage: clinicsync-server tenant show --tenant CODE|ID [--json]

  --tenant CODE|ID   the organization
  --json             print the details as JSON`,
  flags: { tenant: { type: 'string' }, json: { type: 'boolean' } },
  usesDatabase: true,
  run: async (values, io) => {
    const ref = tenantRefFlag(values, 'tenant show');
    // showTenant records its own audit entry (admin:tenant.show) in the org's chain.
    const details = await withAdminSession(values, io, ({ core }) => core.admin.showTenant('id' in ref ? ref.id : ref.code));
    io.out(values.json ? json(details) : keyValues(details));
    return 0;
  },
};

export const tenantSetTier: Command = {
  name: 'tenant set-tier',
  summary: "Change an organization's isolation tier (dedicated: moves its data).",
  help: `Usage: clinicsync-server tenant set-tier --tenant CODE|ID --tier shared|namespace|dedicated
                                       [--server-url URL] [--database-prefix NAME] [--folder DIR]
                                       [--operator-socket PATH] [--json]

  --tenant CODE|ID       the organization
  --tier TIER            shared: shared databases and sign-in namespace
                         namespace: its own sign-in namespace
                         dedicated: its own namespace and its own databases (data is moved,
                         row counts verified)
  --server-url URL       dedicated on PostgreSQL: another server (default: this one; no password in it)
  --database-prefix NAME dedicated on PostgreSQL: prefix of its databases (default <prefix>_t_<id>)
  --folder DIR           dedicated on PGlite: its database folder (default <data-dir>/tenants/<id>)
  --operator-socket PATH the running server's operator socket (default <data-dir>/admin.sock,
                         or CLINICSYNC_OPERATOR_SOCKET)
  --json                 print the result as JSON

A move must run in the process that serves the org. If a server answers on the operator
socket, the command runs there and its clients keep syncing (their requests wait for the
move). If no server is running, the command opens the databases itself.`,
  flags: {
    tenant: { type: 'string' },
    tier: { type: 'string' },
    'server-url': { type: 'string' },
    'database-prefix': { type: 'string' },
    folder: { type: 'string' },
    'operator-socket': { type: 'string' },
    json: { type: 'boolean' },
  },
  usesDatabase: true,
  run: async (values, io) => {
    const ref = tenantRefFlag(values, 'tenant set-tier');
    const tier = oneOf(requiredFlag(values, 'tier', 'tenant set-tier'), ISOLATION_TIERS, 'tier');
    const target = {
      ...(stringFlag(values, 'server-url') !== undefined ? { serverUrl: stringFlag(values, 'server-url')! } : {}),
      ...(stringFlag(values, 'database-prefix') !== undefined ? { databasePrefix: stringFlag(values, 'database-prefix')! } : {}),
      ...(stringFlag(values, 'folder') !== undefined ? { folder: stringFlag(values, 'folder')! } : {}),
    };
    const input: SetTierInput = { tenant: ref, tier, target };
    const result = (await setTierInServer(values, io.env, input)) ?? (await withAdminSession(values, io, ({ core }) => setTierAudited(core, input, 'cli')));
    if (values.json) io.out(json(result));
    else {
      io.out(`Organization ${result.tenantId}: tier ${result.previousTier} -> ${result.tier}; data in ${result.location}.\n`);
      if (result.moved) io.out(`Moved ${result.rowsMoved} rows (row counts verified):\n${table(result.tables, ['domain', 'table', 'rows'], '')}`);
    }
    return 0;
  },
};

/**
 * Asks the running server to do it over its operator socket. null when no server listens
 * there (no socket file, or a stale one): the caller then opens the databases itself.
 */
async function setTierInServer(values: FlagValues, env: Record<string, string | undefined>, input: SetTierInput): Promise<TierResult | null> {
  const path = operatorSocketPath(stringFlag(values, 'operator-socket'), stringFlag(values, 'data-dir'), env);
  const deployment = deploymentKey(chooseDatabase(values, env).options);
  if (path === false) return null;
  const { tenant, tier, target } = input;
  // A folder is resolved here: the server's working directory need not be this one.
  const sent = { ...target, ...(target.folder !== undefined ? { folder: resolve(target.folder) } : {}) };
  let response;
  try {
    response = await sendOperatorRequest(path, {
      command: 'tenant.set-tier',
      deployment,
      tenant: 'id' in tenant ? tenant.id : tenant.code,
      tier,
      ...(Object.keys(sent).length > 0 ? { target: sent } : {}),
    });
  } catch (error) {
    if (error instanceof OperatorSocketError && error.noServer) return null;
    throw new CommandFailure(error instanceof Error ? error.message : 'The operator socket could not be used.');
  }
  if (!response.ok) throw new AppError(response.code, response.message);
  return response.result as TierResult;
}
