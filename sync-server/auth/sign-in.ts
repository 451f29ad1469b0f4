import type { SignInAccount } from '../domains/tenant_info/accounts.ts';
import type { Tenant } from '../domains/tenant_info/tenants.ts';
import type { Services } from '../services.ts';
import { DUMMY_PASSWORD_HASH, verifyPassword } from './passwords.ts';

/** The password check (passwords.ts); a parameter so tests can count how often it runs. */
export type PasswordVerifier = (password: string, stored: string) => Promise<boolean>;

/**
 * Login + password in the org the code named (`tenant`, looked up by the caller). The login
 * is looked up only in the org's own sign-in namespace (the shared one for a shared-tier
 * org) and only among the org's members; an unknown or suspended org, an unknown login, a
 * disabled account and a wrong password all end the same way, after exactly one scrypt
 * verification, so neither the answer nor its timing tells them apart. Returns the account
 * only when membership, namespace and password all check out.
 */
export async function checkCredentials(
  services: Services,
  tenant: Tenant | null,
  input: { username: string; password: string },
  verify: PasswordVerifier = verifyPassword,
): Promise<SignInAccount | null> {
  const account = tenant && tenant.status === 'active' ? await services.accounts.findForSignIn(tenant, input.username) : null;
  const passwordOk = await verify(input.password, account?.passwordHash ?? DUMMY_PASSWORD_HASH);
  return account && passwordOk ? account : null;
}
