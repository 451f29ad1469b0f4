import type { Role } from '../../shared/sync/auth.ts';
import type { Services } from '../services.ts';

/** Users, memberships, devices and the tenant directory, for the CLI, the seed and tests. */
export interface DirectoryAdmin {
  createUser(input: { tenantId: string; username: string; password: string; displayName: string; role: Role }): Promise<{ userId: string }>;
}

export function createDirectoryAdmin(services: Services): DirectoryAdmin {
  return {
    createUser: async ({ tenantId, ...user }) => ({ userId: await services.users.create(tenantId, user) }),
  };
}
