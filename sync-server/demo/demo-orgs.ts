import type { Role } from '../../shared/sync/auth.ts';
import type { TenantKind } from '../domains/tenant_info/tenants.ts';

export interface DemoUser {
  username: string;
  password: string;
  role: Role;
  displayName: string;
}

export interface DemoOrg {
  code: string;
  tenantId: string;
  name: string;
  users: DemoUser[];
}

export interface DemoInfo {
  orgs: DemoOrg[];
}

export interface DemoOrgSpec {
  code: string;
  name: string;
  kind: TenantKind;
  mrnPrefix: string;
  seed: number;
}

export const DEMO_ORGS: readonly DemoOrgSpec[] = [
  { code: 'northside', name: 'Northside Family Practice', kind: 'human', mrnPrefix: 'NS', seed: 20260101 },
  { code: 'lakeview', name: 'Lakeview Veterinary Clinic', kind: 'veterinary', mrnPrefix: 'LV', seed: 20260202 },
];

export const DEMO_PATIENTS_PER_ORG = 300;
export const DEMO_APPOINTMENTS_PER_ORG = 200;

/** Demo passwords are public by design (printed at start-up); they only exist in demo data. */
export function demoUsers(code: string): DemoUser[] {
  const password = `demo-${code}-2026`;
  return [
    { username: 'frontdesk', password, role: 'front_desk', displayName: 'Front Desk (demo)' },
    { username: 'clinician', password, role: 'clinician', displayName: 'Clinician (demo)' },
    { username: 'admin', password, role: 'org_admin', displayName: 'Org Admin (demo)' },
  ];
}
