import type { z } from 'zod';
import { displayNameSchema, ENROLLMENT_TTL_MINUTES, enrollmentTokenInputSchema, loginSchema, newPasswordSchema, roleSchema } from '../../shared/api/admin.ts';
import { AppError } from '../../shared/errors.ts';
import { idSchema, isId } from '../../shared/ids.ts';
import type { OrgPolicy, Role } from '../../shared/sync/auth.ts';
import { auditedWork } from '../audit/audited-work.ts';
import { hashPassword } from '../auth/passwords.ts';
import type { TierChange } from '../domains/tenant_info/isolation-tiers.ts';
import type { DeviceListing } from '../domains/tenant_info/devices.ts';
import type { IsolationTier, Tenant, TenantKind, TenantPolicyChange, TenantStatus } from '../domains/tenant_info/tenants.ts';
import type { Services } from '../services.ts';
import { isoTime } from '../db/timestamps.ts';

export interface TenantSummary {
  tenantId: string;
  code: string;
  name: string;
  kind: TenantKind;
  status: TenantStatus;
  tier: IsolationTier;
  createdAt: string;
}

/** An org for an operator: directory facts and counts, no PHI. */
export interface TenantDetails extends TenantSummary {
  policy: OrgPolicy;
  requireEnrolledDevices: boolean;
  members: number;
  activeDevices: number;
  activeSessions: number;
}

/**
 * Users, memberships, devices, sign-in namespaces and the tenant directory, for the CLI,
 * the seed and tests. Each command that concerns one org is audited in that org's chain
 * (kind 'admin'), so callers do not wrap these again.
 */
export interface DirectoryAdmin {
  /** A new account in the org's sign-in namespace with one membership (never links an existing account). */
  createUser(input: { tenantId: string; username: string; password: string; displayName: string; role: Role }): Promise<{ userId: string }>;
  /**
   * Sets the role of the org's member with this login; or, for a shared-tier org, adds an
   * existing shared-namespace account (a member of other orgs) as a member. Several
   * shared accounts may carry the same login (one per org); `fromOrg` (id or code) names
   * the org whose account is meant.
   */
  grantRole(input: { tenantId: string; username: string; role: Role; fromOrg?: string }): Promise<{ userId: string; role: Role; added: boolean }>;
  listTenants(): Promise<TenantSummary[]>;
  showTenant(idOrCode: string): Promise<TenantDetails>;
  /** 'own' gives the org its own sign-in namespace (tier 'namespace'); 'shared' returns it to the shared one. */
  setAuthNamespace(tenantId: string, namespace: 'shared' | 'own'): Promise<TierChange>;
  issueEnrollmentToken(input: { tenantId: string; ttlMinutes?: number }): Promise<{ token: string; expiresAt: string }>;
  listDevices(tenantId: string): Promise<DeviceListing[]>;
  revokeDevice(input: { tenantId: string; deviceId: string }): Promise<{ sessionsEnded: number }>;
  /** Changes some of the org's workstation policy; returns the whole policy as it is now. */
  setPolicy(input: { tenantId: string; change: TenantPolicyChange }): Promise<{ policy: OrgPolicy; requireEnrolledDevices: boolean }>;
  /** active, suspended or offboarded (final). */
  setStatus(input: { tenantId: string; status: TenantStatus }): Promise<{ from: TenantStatus; to: TenantStatus }>;
}

export function createDirectoryAdmin(services: Services): DirectoryAdmin {
  const admin = (tenantId: string | null, name: string) => ({ tenantId, kind: 'admin' as const, name });

  const tenantById = async (tenantId: string): Promise<Tenant> => {
    const tenant = isId(tenantId) ? await services.tenants.get(tenantId) : null;
    if (!tenant) throw new AppError('NOT_FOUND', 'There is no organization with that id.');
    return tenant;
  };
  const tenantByIdOrCode = async (idOrCode: string): Promise<Tenant> => {
    const tenant = isId(idOrCode) ? await services.tenants.get(idOrCode) : await services.tenants.findByCode(idOrCode);
    if (!tenant) throw new AppError('NOT_FOUND', 'There is no organization with that id or code.');
    return tenant;
  };

  return {
    createUser: async (input) => {
      const tenant = await tenantById(input.tenantId);
      const username = valid(loginSchema, input.username, 'username');
      const displayName = valid(displayNameSchema, input.displayName, 'display name');
      const role = valid(roleSchema, input.role, 'role');
      const password = valid(newPasswordSchema, input.password, 'password');
      return auditedWork(services.audit, admin(tenant.id, 'user.create'), async (trail) => {
        const passwordHash = await hashPassword(password);
        const userId = await services.accounts.createMember(tenant.id, { login: username, passwordHash, displayName, role });
        trail.touched('user', [userId]);
        services.log({ level: 'info', event: 'user_created', tenantId: tenant.id, userId, role });
        return { userId };
      });
    },

    grantRole: async (input) => {
      const tenant = await tenantById(input.tenantId);
      const login = valid(loginSchema, input.username, 'username');
      const role = valid(roleSchema, input.role, 'role');
      return auditedWork(services.audit, admin(tenant.id, 'user.grant'), async (trail) => {
        const member = await services.accounts.memberByLogin(tenant.id, login);
        if (member) {
          trail.touched('user', [member.userId]);
          await services.accounts.setRole(tenant.id, member.userId, role);
          services.log({ level: 'info', event: 'role_granted', tenantId: tenant.id, userId: member.userId, role });
          return { userId: member.userId, role, added: false };
        }
        if (tenant.tier !== 'shared') throw new AppError('NOT_FOUND', 'This organization has no user with that login. Create the user instead.');
        const accountId = await sharedAccountToAdd(login, input.fromOrg);
        trail.touched('user', [accountId]);
        await services.accounts.addSharedMembership(tenant.id, accountId, role);
        services.log({ level: 'info', event: 'membership_added', tenantId: tenant.id, userId: accountId, role });
        return { userId: accountId, role, added: true };
      });
    },

    // Spans every org, so it is filed in the unattributed chain (ids only).
    listTenants: () =>
      auditedWork(services.audit, admin(null, 'tenant.list'), async (trail) => {
        const tenants = (await services.tenants.list()).map(summaryOf);
        trail.touched('tenant', tenants.map((tenant) => tenant.tenantId));
        return tenants;
      }),

    showTenant: async (idOrCode) => {
      const tenant = await tenantByIdOrCode(idOrCode);
      return auditedWork(services.audit, admin(tenant.id, 'tenant.show'), async (trail) => {
        trail.touched('tenant', [tenant.id]);
        const listing = await services.tenants.listing(tenant.id);
        if (!listing) throw new AppError('NOT_FOUND', 'There is no organization with that id or code.');
        return {
          ...summaryOf(listing),
          policy: tenant.policy,
          requireEnrolledDevices: tenant.requireEnrolledDevices,
          members: await services.accounts.countMembers(tenant.id),
          activeDevices: await services.devices.countActive(tenant.id),
          activeSessions: await services.sessions.countActive(tenant.id),
        };
      });
    },

    setAuthNamespace: async (tenantId, namespace) => {
      const tenant = await tenantById(tenantId);
      if (namespace !== 'shared' && namespace !== 'own') throw new AppError('VALIDATION', "The sign-in namespace must be 'shared' or 'own'.");
      return auditedWork(services.audit, admin(tenant.id, 'tenant.set-namespace'), async (trail) => {
        trail.touched('tenant', [tenant.id]);
        if (namespace === 'shared' && tenant.tier === 'dedicated') {
          throw new AppError('CONFLICT', 'A dedicated organization keeps its own sign-in namespace. Move its data back to the shared databases first.');
        }
        const to: IsolationTier = namespace === 'shared' ? 'shared' : tenant.tier === 'shared' ? 'namespace' : tenant.tier;
        const change = await services.isolationTiers.set(tenant.id, to);
        trail.note('from', change.from);
        trail.note('to', change.to);
        trail.note('accountsMoved', change.accountsMoved);
        trail.note('accountsCopied', change.accountsCopied);
        return change;
      });
    },

    issueEnrollmentToken: async (input) => {
      const tenant = await tenantById(input.tenantId);
      const { ttlMinutes } = valid(enrollmentTokenInputSchema, { ttlMinutes: input.ttlMinutes ?? ENROLLMENT_TTL_MINUTES.default }, 'time to live');
      return auditedWork(services.audit, admin(tenant.id, 'device.enroll-token'), async (trail) => {
        const issued = await services.enrollmentTokens.issue({ tenantId: tenant.id, ttlMinutes, createdBy: null });
        trail.touched('enrollment_token', [issued.tokenId]);
        services.log({ level: 'info', event: 'enrollment_token_issued', tenantId: tenant.id, tokenId: issued.tokenId });
        return { token: issued.token, expiresAt: issued.expiresAt.toISOString() };
      });
    },

    listDevices: async (tenantId) => {
      const tenant = await tenantById(tenantId);
      return auditedWork(services.audit, admin(tenant.id, 'device.list'), async (trail) => {
        const devices = await services.devices.list(tenant.id);
        trail.touched('device', devices.map((device) => device.deviceId));
        return devices;
      });
    },

    revokeDevice: async (input) => {
      const tenant = await tenantById(input.tenantId);
      const deviceId = valid(idSchema, input.deviceId, 'device id');
      return auditedWork(services.audit, admin(tenant.id, 'device.revoke'), async (trail) => {
        trail.touched('device', [deviceId]);
        const result = await services.devices.revoke(tenant.id, deviceId);
        if (!result.found) throw new AppError('NOT_FOUND', 'This organization has no workstation with that id.');
        services.log({ level: 'info', event: 'device_revoked', tenantId: tenant.id, deviceId, sessionsEnded: result.sessionsEnded });
        return { sessionsEnded: result.sessionsEnded };
      });
    },

    setPolicy: async ({ tenantId, change }) => {
      const tenant = await tenantById(tenantId);
      return auditedWork(services.audit, admin(tenant.id, 'tenant.set-policy'), async (trail) => {
        trail.touched('tenant', [tenant.id]);
        const result = await services.tenants.setPolicy(tenant.id, change);
        // Numbers and a flag only: the whole new policy is safe to keep in the trail.
        for (const [key, value] of Object.entries(result.policy)) trail.note(key, value);
        trail.note('requireEnrolledDevices', result.requireEnrolledDevices);
        services.log({ level: 'info', event: 'tenant_policy_set', tenantId: tenant.id });
        return result;
      });
    },

    setStatus: async ({ tenantId, status }) => {
      const tenant = await tenantById(tenantId);
      return auditedWork(services.audit, admin(tenant.id, 'tenant.set-status'), async (trail) => {
        trail.touched('tenant', [tenant.id]);
        const change = await services.tenants.setStatus(tenant.id, status);
        trail.note('from', change.from);
        trail.note('to', change.to);
        services.log({ level: 'info', event: 'tenant_status_set', tenantId: tenant.id, from: change.from, to: change.to });
        return change;
      });
    },
  };

  /** The one shared account with this login (in `fromOrg`, when given) that may be added to another org. */
  async function sharedAccountToAdd(login: string, fromOrg: string | undefined): Promise<string> {
    let candidates = await services.accounts.sharedAccountsByLogin(login);
    if (fromOrg !== undefined) {
      const from = await tenantByIdOrCode(fromOrg);
      candidates = candidates.filter((account) => account.tenantIds.includes(from.id));
    }
    if (candidates.length === 0) throw new AppError('NOT_FOUND', 'There is no shared account with that login to add. Create the user instead.');
    if (candidates.length > 1) {
      throw new AppError('CONFLICT', 'Several organizations have their own account with that login. Say which organization the account comes from.');
    }
    return candidates[0]!.accountId;
  }
}

function summaryOf(tenant: Tenant & { createdAt: string | Date }): TenantSummary {
  return {
    tenantId: tenant.id,
    code: tenant.code,
    name: tenant.name,
    kind: tenant.kind,
    status: tenant.status,
    tier: tenant.tier,
    createdAt: isoTime(tenant.createdAt),
  };
}

/** Operator input checked with the same schemas as the network API; the error names the field, never the value. */
function valid<S extends z.ZodType>(schema: S, value: unknown, field: string): z.output<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new AppError('VALIDATION', `The ${field} is not valid: ${parsed.error.issues[0]?.message ?? 'invalid'}.`);
  return parsed.data;
}
