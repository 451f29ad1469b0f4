import type { SignInAccount } from '../domains/tenant_info/accounts.ts';
import type { Tenant } from '../domains/tenant_info/tenants.ts';
import type { Services } from '../services.ts';
import { DUMMY_PASSWORD_HASH, verifyPassword } from './passwords.ts';

export interface CredentialCheck {
  /** The org the code named, if it exists (the refusal is then filed in its audit chain). */
  tenant: Tenant | null;
  /** Set only when org, membership, namespace and password all check out. */
  account: SignInAccount | null;
}

/**
 * Org code + login + password. The login is looked up only in the org's own sign-in
 * namespace (the shared one for a shared-tier org) and only among the org's members; a
 * suspended org, an unknown login, a disabled account and a wrong password all end the
 * same way, after exactly one scrypt verification, so neither the answer nor its timing
 * tells them apart.
 */
export async function checkCredentials(services: Services, input: { org: string; username: string; password: string }): Promise<CredentialCheck> {
  const tenant = await services.tenants.findByCode(input.org);
  const account = tenant && tenant.status === 'active' ? await services.accounts.findForSignIn(tenant, input.username) : null;
  const passwordOk = await verifyPassword(input.password, account?.passwordHash ?? DUMMY_PASSWORD_HASH);
  return { tenant, account: account && passwordOk ? account : null };
}
