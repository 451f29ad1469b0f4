import { describe, expect, it } from 'vitest';
import { ROLES } from '../../shared/sync/auth.ts';
import { mayAssignRole } from './role-grants.ts';

describe('role grants', () => {
  it('let an org admin assign clinical roles and org admin, but not IT admin', () => {
    expect(mayAssignRole('org_admin', 'front_desk')).toBe(true);
    expect(mayAssignRole('org_admin', 'clinician')).toBe(true);
    expect(mayAssignRole('org_admin', 'org_admin')).toBe(true);
    expect(mayAssignRole('org_admin', 'it_admin')).toBe(false);
  });

  it('let an IT admin (users + devices) assign every role', () => {
    for (const role of ROLES) expect(mayAssignRole('it_admin', role)).toBe(true);
  });

  it('let roles without management capabilities assign only roles that carry none', () => {
    expect(mayAssignRole('front_desk', 'clinician')).toBe(true);
    expect(mayAssignRole('front_desk', 'org_admin')).toBe(false);
    expect(mayAssignRole('clinician', 'it_admin')).toBe(false);
  });
});
