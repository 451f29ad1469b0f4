import { AppError } from '../../../shared/errors.ts';
import { isId } from '../../../shared/ids.ts';
import { orgCodeSchema } from '../../../shared/sync/auth.ts';
import type { ServerCore } from '../../server.ts';
import { requiredFlag, UsageError, type FlagValues } from '../usage.ts';

/** What `--tenant` names: an org id, or an org code to look up. */
export type TenantRef = { id: string } | { code: string };

/** Checks the form of --tenant before any database is opened. */
export function tenantRefFlag(values: FlagValues, command: string, flag = 'tenant'): TenantRef {
  const value = requiredFlag(values, flag, command).trim();
  if (isId(value)) return { id: value };
  const code = orgCodeSchema.safeParse(value);
  if (!code.success) throw new UsageError(`--${flag} "${value}": must be an organization code (a-z, 0-9, -) or an organization id.`);
  return { code: code.data };
}

/**
 * The org's id. A code that names no org is NOT_FOUND here; an id is passed on as is (the
 * admin API answers an unknown id itself) unless `mustExist` asks to check it first.
 */
export async function resolveTenantRef(core: ServerCore, ref: TenantRef, options: { mustExist?: boolean } = {}): Promise<string> {
  if ('code' in ref) {
    const tenant = await core.admin.findTenantByCode(ref.code);
    if (!tenant) throw new AppError('NOT_FOUND', `No organization has the code "${ref.code}".`);
    return tenant.tenantId;
  }
  if (options.mustExist && (await core.admin.countRows({ domain: 'tenant_info', table: 'tenants', tenantId: ref.id })) === 0) {
    throw new AppError('NOT_FOUND', `No organization has the id ${ref.id}.`);
  }
  return ref.id;
}
