import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { uuidv7 } from '../../shared/ids.ts';
import { tempDir } from '../test-support/temp-dir.ts';
import { createOrgDirectory } from './org-directory.ts';

let dir: ReturnType<typeof tempDir>;
beforeEach(() => (dir = tempDir()));
afterEach(() => dir.remove());

describe('org directory (orgs.json)', () => {
  it('is empty without a file, remembers codes case-insensitively, and survives a new instance', () => {
    const orgs = createOrgDirectory(dir.path);
    expect(orgs.lookup('northside')).toBeNull();
    const tenantId = uuidv7();
    orgs.remember('Northside', { tenantId, name: 'Northside Family Practice' });
    expect(createOrgDirectory(dir.path).lookup(' NORTHSIDE ')).toEqual({ tenantId, name: 'Northside Family Practice' });
    const file = JSON.parse(readFileSync(join(dir.path, 'orgs.json'), 'utf8'));
    expect(file).toEqual({ version: 1, orgs: { northside: { tenantId, name: 'Northside Family Practice' } } });
  });

  it('forgets every code of a wiped org and keeps the others', () => {
    const orgs = createOrgDirectory(dir.path);
    const [a, b] = [uuidv7(), uuidv7()];
    orgs.remember('alpha', { tenantId: a, name: 'Alpha' });
    orgs.remember('alpha-old', { tenantId: a, name: 'Alpha' });
    orgs.remember('beta', { tenantId: b, name: 'Beta' });
    orgs.forget(a);
    expect([orgs.lookup('alpha'), orgs.lookup('alpha-old'), orgs.lookup('beta')]).toEqual([null, null, { tenantId: b, name: 'Beta' }]);
  });

  it('treats a damaged file as empty (no crash), refuses an entry that is not an org id, and rewrites it on the next sign-in', () => {
    const path = join(dir.path, 'orgs.json');
    writeFileSync(path, '{"version":1,"orgs":{"northside":');
    const orgs = createOrgDirectory(dir.path);
    expect(orgs.lookup('northside')).toBeNull();
    writeFileSync(path, JSON.stringify({ version: 1, orgs: { northside: { tenantId: '../../etc/passwd', name: 'x' } } }));
    expect(orgs.lookup('northside')).toBeNull();
    const tenantId = uuidv7();
    orgs.remember('northside', { tenantId, name: 'Northside' });
    expect(orgs.lookup('northside')).toEqual({ tenantId, name: 'Northside' });
  });
});
