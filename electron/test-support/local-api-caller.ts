import { uuidv7 } from '../../shared/ids.ts';
import type { Role } from '../../shared/sync/auth.ts';
import type { LocalBackend } from '../local-api/backend.ts';
import { describeError, TRPCError } from '../local-api/errors.ts';
import { createLocalApiCaller } from '../local-api/router.ts';
import type { OrgStore } from '../store/org-store.ts';

/**
 * A local API caller over a real store and nothing else: the router tests exercise
 * procedures that only need the store (plus, when `role` is given, the session's user, and
 * optionally the sync wake-up). Any other backend member throws, so a procedure that starts
 * to depend on more shows up as a failing test instead of a silent stub.
 */
export function storeOnlyCaller(store: OrgStore, options: { role?: Role | null; userId?: string; afterLocalWrite?: () => void } = {}) {
  const own: Record<string, unknown> = { store: () => store, beforeCall: () => undefined };
  if (options.role !== undefined) {
    const user = options.role ? { userId: options.userId ?? uuidv7(), username: 'u', displayName: 'U', role: options.role } : null;
    own['sessionStatus'] = () => ({ user });
  }
  if (options.afterLocalWrite) own['afterLocalWrite'] = options.afterLocalWrite;
  const unused = () => {
    throw new Error('not used by these procedures');
  };
  const backend = new Proxy(own, {
    get: (target, key: string) => target[key] ?? unused,
  }) as unknown as LocalBackend;
  return createLocalApiCaller({ backend });
}

/** The code and sentence of a refused call (fails if the call was not refused by the API). */
export async function refusal(promise: Promise<unknown>) {
  const error: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof TRPCError)) throw new Error('expected a refusal');
  return describeError(error);
}
