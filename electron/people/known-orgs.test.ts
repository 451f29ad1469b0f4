import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { uuidv7 } from '../../shared/ids.ts';
import { tempDir } from '../test-support/temp-dir.ts';
import { listKnownOrgs } from './known-orgs.ts';
import { createOrgDirectory } from './org-directory.ts';

let dir: ReturnType<typeof tempDir>;
beforeEach(() => (dir = tempDir()));
afterEach(() => dir.remove());

describe('known orgs (the org switcher list)', () => {
  it("lists each of the person's orgs once by its first code, only with a store on this workstation, marks the open one, sorted by name", () => {
    const orgs = createOrgDirectory(dir.path);
    const [north, lake, gone, other] = [uuidv7(), uuidv7(), uuidv7(), uuidv7()];
    orgs.remember('northside', { tenantId: north, name: 'Northside Family Practice' });
    orgs.remember('ns', { tenantId: north, name: 'Northside Family Practice' });
    orgs.remember('lakeview', { tenantId: lake, name: 'Lakeview Veterinary Clinic' });
    orgs.remember('oldclinic', { tenantId: gone, name: 'Old Clinic' });
    orgs.remember('elsewhere', { tenantId: other, name: 'Another Person’s Clinic' });
    const stores = new Set([north, lake, other]);
    const theirs = new Set([north, lake, gone]);
    expect(listKnownOrgs(orgs, (id) => stores.has(id), north, theirs)).toEqual([
      { code: 'lakeview', name: 'Lakeview Veterinary Clinic', tenantId: lake, current: false },
      { code: 'northside', name: 'Northside Family Practice', tenantId: north, current: true },
    ]);
    expect(listKnownOrgs(orgs, () => false, null, theirs)).toEqual([]);
  });

  it('shows the open org even before it is recorded as theirs, and no org of anyone else', () => {
    const orgs = createOrgDirectory(dir.path);
    const [north, lake] = [uuidv7(), uuidv7()];
    orgs.remember('northside', { tenantId: north, name: 'Northside Family Practice' });
    orgs.remember('lakeview', { tenantId: lake, name: 'Lakeview Veterinary Clinic' });
    expect(listKnownOrgs(orgs, () => true, north, new Set())).toEqual([{ code: 'northside', name: 'Northside Family Practice', tenantId: north, current: true }]);
  });

  it('is empty without an org directory', () => {
    expect(listKnownOrgs(createOrgDirectory(dir.path), () => true, null, new Set([uuidv7()]))).toEqual([]);
  });
});
