import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uuidv7 } from '../../shared/ids.ts';
import { requirePostgres, testPostgresUrl } from '../../test/support/postgres.ts';
import { ONE_PER_ROLE, orgWithUsers, type RoleOrg } from '../api/routers/test-support/domain-orgs.ts';
import { AuditTrail } from '../audit/audit-trail.ts';
import { AuditEvents } from '../domains/audit/audit-events.ts';
import { TenantDirectory } from '../domains/tenant_info/tenants.ts';
import type { LogEvent } from '../log.ts';
import { testEngines } from '../testing/engines.ts';
import { appCodeOf, startTestServer, type TestServer } from '../testing/harness.ts';
import { LocalKeyWrapper } from './local-key-wrapper.ts';
import { newKeyEntry, parseKeyring } from './master-keyring.ts';
import { createVault } from './vault.ts';
import { createVaultAdmin } from './vault-admin.ts';
import { checkVaultMasterKeys } from './vault-startup-check.ts';

const engines = testEngines(await requirePostgres('sync-server/vault (PostgreSQL)'), testPostgresUrl());

// Two master keys; the server starts with k1 active and k2 already listed (step 1 of a rolling master rotation).
const k1 = newKeyEntry('k1');
const k2 = newKeyEntry('k2');
const serverKeyring = `active=k1\n${k1}\n${k2}`;
const rotatedKeyring = `active=k2\n${k1}\n${k2}`;

/** Distinctive secrets: any trace of them in a row, log or audit entry is a leak. */
const SECRET_A = `pa$$-A-${uuidv7()}`;
const SECRET_B = `pa$$-B-${uuidv7()}`;
const USER_A = 'portal-user-alpha';

/** Every encoding a leak could take: as typed, hex (bytea text form), base64. */
function traces(secret: string): string[] {
  const bytes = Buffer.from(secret, 'utf8');
  return [secret, bytes.toString('hex'), bytes.toString('base64')];
}

function expectNoTrace(haystack: string, secrets: readonly string[]): void {
  for (const secret of secrets) for (const trace of traces(secret)) expect(haystack.includes(trace), `found a trace of a secret`).toBe(false);
}

for (const engine of engines) {
  describe.skipIf(!engine.available)(`per-tenant vault (${engine.name})`, () => {
    let server: TestServer;
    let a: RoleOrg<keyof typeof ONE_PER_ROLE>;
    let b: RoleOrg<keyof typeof ONE_PER_ROLE>;
    const logs: LogEvent[] = [];
    let aId: string;
    let bId: string;

    const inspect = <T>(fn: Parameters<TestServer['databases']['inspect']>[1]) => server.databases.inspect('configuration', fn) as Promise<T>;
    const vaultRowsText = () =>
      inspect<string>(async (sql) => {
        const keys = await sql.query<{ row: string }>('SELECT t::text AS row FROM configuration.vault_data_keys t');
        const secrets = await sql.query<{ row: string }>('SELECT t::text AS row FROM configuration.vault_secrets t');
        return [...keys, ...secrets].map((r) => r.row).join('\n');
      });
    const auditRowsText = () =>
      server.databases.inspect('audit', async (sql) => (await sql.query<{ row: string }>('SELECT t::text AS row FROM audit.events t')).map((r) => r.row).join('\n'));

    beforeAll(async () => {
      server = await startTestServer(engine, { vault: { masterKey: { kind: 'env', variable: 'TEST_KEYRING', text: serverKeyring } }, log: (event) => logs.push(event) });
      [a, b] = await Promise.all([orgWithUsers(server, 'vault-a', ONE_PER_ROLE), orgWithUsers(server, 'vault-b', ONE_PER_ROLE)]);
      aId = (await a.client.admin.vault.store.mutate({ kind: 'payer_portal', label: 'Acme Health portal', endpoint: 'https://portal.acme.example', username: USER_A, secret: SECRET_A })).id;
      bId = (await b.client.admin.vault.store.mutate({ kind: 'ehr_integration', label: 'EHR bridge', secret: SECRET_B })).id;
    });
    afterAll(() => server?.stop());

    it('stores, lists without values and reveals for an org admin over HTTP', async () => {
      const listed = await a.client.admin.vault.list.query({});
      expect(listed).toEqual([expect.objectContaining({ id: aId, kind: 'payer_portal', label: 'Acme Health portal', endpoint: 'https://portal.acme.example', keyVersion: 1, version: 1 })]);
      expectNoTrace(JSON.stringify(listed), [SECRET_A, USER_A]);
      expect(await a.client.admin.vault.reveal.mutate({ id: aId })).toEqual({ id: aId, kind: 'payer_portal', endpoint: 'https://portal.acme.example', username: USER_A, secret: SECRET_A });
      expect(await appCodeOf(a.client.admin.vault.store.mutate({ kind: 'payer_portal', label: 'acme health PORTAL', secret: 'x' }))).toBe('CONFLICT');
      expect(await appCodeOf(a.client.admin.vault.store.mutate({ kind: 'payer_portal', label: 'Plain', endpoint: 'http://insecure.example', secret: 'x' }))).toBe('VALIDATION');
    });

    it('lets no other role near it: FORBIDDEN for front desk, clinician and IT admin', async () => {
      for (const other of [a.client.desk, a.client.doctor, a.client.tech]) {
        expect(await appCodeOf(other.vault.list.query({}))).toBe('FORBIDDEN');
        expect(await appCodeOf(other.vault.reveal.mutate({ id: aId }))).toBe('FORBIDDEN');
        expect(await appCodeOf(other.vault.store.mutate({ kind: 'payer_portal', label: 'Sneaky', secret: 'x' }))).toBe('FORBIDDEN');
        expect(await appCodeOf(other.vault.delete.mutate({ id: aId }))).toBe('FORBIDDEN');
      }
    });

    it("answers NOT_FOUND to another org's admin, for real and guessed ids, and leaves the credential intact", async () => {
      for (const id of [aId, uuidv7()]) {
        expect(await appCodeOf(b.client.admin.vault.reveal.mutate({ id }))).toBe('NOT_FOUND');
        expect(await appCodeOf(b.client.admin.vault.delete.mutate({ id }))).toBe('NOT_FOUND');
        expect(await appCodeOf(b.client.admin.vault.store.mutate({ id, kind: 'payer_portal', label: 'Hijack', secret: 'evil' }))).toBe('NOT_FOUND');
      }
      expect((await b.client.admin.vault.list.query({})).map((s) => s.id)).toEqual([bId]);
      expect(await a.client.admin.vault.reveal.mutate({ id: aId })).toMatchObject({ secret: SECRET_A });
    });

    it('never writes a secret in plaintext: not in any column of the vault tables, the audit trail or the logs', async () => {
      expectNoTrace(await vaultRowsText(), [SECRET_A, SECRET_B, USER_A]);
      expectNoTrace(await auditRowsText(), [SECRET_A, SECRET_B, USER_A]);
      expectNoTrace(JSON.stringify(logs), [SECRET_A, SECRET_B, USER_A]);
    });

    it('audits every access with ids only: store, reveal, delete, and refusals', async () => {
      const temp = await a.client.admin.vault.store.mutate({ kind: 'ehr_integration', label: 'Temporary', secret: 'temp-secret-value' });
      await a.client.admin.vault.reveal.mutate({ id: temp.id });
      await a.client.admin.vault.delete.mutate({ id: temp.id });
      expect(await appCodeOf(a.client.admin.vault.reveal.mutate({ id: temp.id }))).toBe('NOT_FOUND');
      const page = await server.admin.listAudit({ tenantId: a.tenantId, entityId: temp.id });
      const actions = page.entries.map((entry) => `${entry.action}:${entry.outcome}`).reverse();
      expect(actions).toEqual(['vault.store:ok', 'vault.reveal:ok', 'vault.delete:ok', 'vault.reveal:error']);
      for (const entry of page.entries) expect(entry).toMatchObject({ entity: 'vault_secret', ids: [temp.id], actorRole: 'org_admin', actorUserId: a.userId.admin });
      expectNoTrace(JSON.stringify(page), ['temp-secret-value']);
      const denied = await server.admin.listAudit({ tenantId: a.tenantId, action: 'vault.reveal', outcome: 'denied' });
      expect(denied.entries.length).toBeGreaterThanOrEqual(3);
    });

    it('refuses a sealed value copied to another row or another org, and a data key copied across orgs', async () => {
      const a2 = await a.client.admin.vault.store.mutate({ kind: 'payer_portal', label: 'Second portal', secret: 'second-secret' });
      const sealedOf = (tenantId: string, id: string) =>
        inspect<Uint8Array>(async (sql) => (await sql.query<{ sealed: Uint8Array }>('SELECT sealed FROM configuration.vault_secrets WHERE tenant_id = $1 AND id = $2', [tenantId, id]))[0]!.sealed);
      const setSealed = (tenantId: string, id: string, sealed: Uint8Array) =>
        inspect(async (sql) => sql.execute('UPDATE configuration.vault_secrets SET sealed = $3 WHERE tenant_id = $1 AND id = $2', [tenantId, id, sealed]));
      const [sealedA, sealedA2, sealedB] = [await sealedOf(a.tenantId, aId), await sealedOf(a.tenantId, a2.id), await sealedOf(b.tenantId, bId)];

      await setSealed(a.tenantId, a2.id, sealedA); // same org, same key, other row
      expect(await appCodeOf(a.client.admin.vault.reveal.mutate({ id: a2.id }))).toBe('INTERNAL');
      await setSealed(b.tenantId, bId, sealedA); // A's secret moved into B's row
      expect(await appCodeOf(b.client.admin.vault.reveal.mutate({ id: bId }))).toBe('INTERNAL');
      await setSealed(b.tenantId, bId, sealedB);
      await setSealed(a.tenantId, a2.id, sealedA2);
      expect(await b.client.admin.vault.reveal.mutate({ id: bId })).toMatchObject({ secret: SECRET_B });

      // B's wrapped data key replaced by A's: A's key is bound to A's org id, so it does not unwrap for B.
      const keyOf = (tenantId: string) =>
        inspect<Uint8Array>(async (sql) => (await sql.query<{ w: Uint8Array }>(`SELECT wrapped_key AS w FROM configuration.vault_data_keys WHERE tenant_id = $1 AND state = 'active'`, [tenantId]))[0]!.w);
      const [keyA, keyB] = [await keyOf(a.tenantId), await keyOf(b.tenantId)];
      const setKey = (tenantId: string, wrapped: Uint8Array) =>
        inspect(async (sql) => sql.execute(`UPDATE configuration.vault_data_keys SET wrapped_key = $2 WHERE tenant_id = $1 AND state = 'active'`, [tenantId, wrapped]));
      await setKey(b.tenantId, keyA);
      expect(await appCodeOf(b.client.admin.vault.reveal.mutate({ id: bId }))).toBe('INTERNAL');
      await setKey(b.tenantId, keyB);
      expect(await b.client.admin.vault.reveal.mutate({ id: bId })).toMatchObject({ secret: SECRET_B });
      const refusals = logs.filter((event) => event.event === 'vault_secret_unopenable');
      expect(refusals.length).toBe(3);
      expectNoTrace(JSON.stringify(logs), [SECRET_A, SECRET_B, 'second-secret']);
    });

    it("rotates an org's data key while reads and writes go on: every read answers, old versions are destroyed", async () => {
      const extra = await Promise.all(
        Array.from({ length: 30 }, (_, i) => a.client.admin.vault.store.mutate({ kind: 'ehr_integration', label: `Feed ${i}`, secret: `feed-secret-${i}` })),
      );
      const before = await a.client.admin.vault.list.query({});
      const from = Math.max(...before.map((s) => s.keyVersion));
      let reads = 0;
      let done = false;
      const reader = (async () => {
        // Keeps reading through the whole rotation; each answer must be the right secret.
        while (!done || reads < 5) {
          const i = reads % extra.length;
          expect(await a.client.admin.vault.reveal.mutate({ id: extra[i]!.id })).toMatchObject({ secret: `feed-secret-${i}` });
          reads++;
        }
      })();
      const writer = a.client.admin.vault.store.mutate({ kind: 'payer_portal', label: 'Written during rotation', secret: 'during-rotation' });
      const rotation = await a.client.admin.vault.rotateKey.mutate({});
      done = true;
      await reader;
      const written = await writer;
      expect(rotation).toMatchObject({ fromVersion: from, toVersion: from + 1, destroyed: 1 });
      expect(rotation.resealed).toBeGreaterThanOrEqual(before.length - 1);
      const after = await a.client.admin.vault.list.query({});
      expect(new Set(after.map((s) => s.keyVersion))).toEqual(new Set([from + 1]));
      expect(await a.client.admin.vault.reveal.mutate({ id: written.id })).toMatchObject({ secret: 'during-rotation' });
      for (const [i, s] of extra.entries()) expect((await a.client.admin.vault.reveal.mutate({ id: s.id })).secret).toBe(`feed-secret-${i}`);
      const states = await inspect<{ version: number; state: string; hasKey: boolean }[]>((sql) =>
        sql.query(`SELECT version, state, wrapped_key IS NOT NULL AS "hasKey" FROM configuration.vault_data_keys WHERE tenant_id = $1 ORDER BY version`, [a.tenantId]),
      );
      expect(states).toEqual([
        { version: from, state: 'destroyed', hasKey: false },
        { version: from + 1, state: 'active', hasKey: true },
      ]);
      expect(reads).toBeGreaterThanOrEqual(5);
      expect((await server.admin.listAudit({ tenantId: a.tenantId, action: 'vault.rotateKey' })).entries).toHaveLength(1);
      expectNoTrace(await vaultRowsText(), ['during-rotation', 'feed-secret-1']);
    });

    it('rewraps every data key under a new master key while the server keeps reading, old key ids kept', async () => {
      const masterOf = () =>
        inspect<{ tenantId: string; masterKeyId: string }[]>((sql) =>
          sql.query(`SELECT tenant_id::text AS "tenantId", master_key_id AS "masterKeyId" FROM configuration.vault_data_keys WHERE state <> 'destroyed'`),
        );
      expect(new Set((await masterOf()).map((r) => r.masterKeyId))).toEqual(new Set(['k1']));
      // The operator's side: the new keyring (k2 active), as `clinicsync-server vault rotate-master` builds it.
      const rotatedVault = createVault(server.databases.domains.configuration, new LocalKeyWrapper(parseKeyring(rotatedKeyring, 'test')), () => undefined);
      const { domains } = server.databases;
      const admin = createVaultAdmin({ vault: rotatedVault, tenants: new TenantDirectory(domains.tenant_info), audit: new AuditEvents(domains.audit) });
      let reads = 0;
      let done = false;
      const reader = (async () => {
        while (!done || reads < 3) {
          expect(await b.client.admin.vault.reveal.mutate({ id: bId })).toMatchObject({ secret: SECRET_B });
          expect(await a.client.admin.vault.reveal.mutate({ id: aId })).toMatchObject({ secret: SECRET_A });
          reads++;
        }
      })();
      const report = await admin.rotateMaster();
      done = true;
      await reader;
      expect(report).toMatchObject({ masterKeyId: 'k2', rewrapped: 2, byMasterKey: { k2: 2 } });
      expect(new Set((await masterOf()).map((r) => r.masterKeyId))).toEqual(new Set(['k2']));
      expect(await a.client.admin.vault.reveal.mutate({ id: aId })).toMatchObject({ secret: SECRET_A });
      // Running it again finds nothing left under k1.
      expect((await admin.rotateMaster()).rewrapped).toBe(0);
      const audited = await server.admin.listAudit({ tenantId: b.tenantId, action: 'admin:vault.rotate-master' });
      expect(audited.entries.length).toBe(2);
      expect(audited.entries[0]!.detail).toMatchObject({ masterKeyId: 'k2' });
      // A server given only the old key would refuse to start now; one with the new keyring starts.
      await expect(checkVaultMasterKeys(server.databases.domains.configuration, new LocalKeyWrapper(parseKeyring(k1, 'old')))).rejects.toThrow(/k2.*not in this server's keyring/);
      await expect(checkVaultMasterKeys(server.databases.domains.configuration, null)).rejects.toThrow(/no master key is configured/);
      await expect(checkVaultMasterKeys(server.databases.domains.configuration, new LocalKeyWrapper(parseKeyring(rotatedKeyring, 'new')))).resolves.toBeUndefined();
    });

    it("crypto-shreds an org: its credentials never open again, its keys hold no bytes, other orgs are untouched", async () => {
      const shredder = createVault(server.databases.domains.configuration, null, () => undefined); // shredding needs no master key
      const trail = new AuditTrail();
      expect(await shredder.keys.shred(b.tenantId, trail)).toEqual({ destroyedKeys: 1 });
      expect(trail.detail).toEqual({ destroyedKeys: 1 });
      expect(await appCodeOf(b.client.admin.vault.reveal.mutate({ id: bId }))).toBe('CONFLICT');
      expect(await appCodeOf(b.client.admin.vault.store.mutate({ kind: 'payer_portal', label: 'After shred', secret: 'x' }))).toBe('CONFLICT');
      expect(await appCodeOf(b.client.admin.vault.rotateKey.mutate({}))).toBe('CONFLICT');
      const bKeys = await inspect<{ n: number; withBytes: number }[]>((sql) =>
        sql.query(`SELECT count(*)::int AS n, count(wrapped_key)::int AS "withBytes" FROM configuration.vault_data_keys WHERE tenant_id = $1`, [b.tenantId]),
      );
      expect(bKeys).toEqual([{ n: 1, withBytes: 0 }]);
      // The sealed bytes are still there, and no key left anywhere in the database opens them.
      expect(await b.client.admin.vault.list.query({})).toHaveLength(1);
      expect((await shredder.keys.shred(b.tenantId, new AuditTrail())).destroyedKeys).toBe(0);
      expect(await a.client.admin.vault.reveal.mutate({ id: aId })).toMatchObject({ secret: SECRET_A });
    });
  });
}

for (const engine of engines) {
  describe.skipIf(!engine.available)(`a server without a vault key (${engine.name})`, () => {
    let server: TestServer;
    let a: RoleOrg<keyof typeof ONE_PER_ROLE>;

    beforeAll(async () => {
      server = await startTestServer(engine, { vault: undefined });
      a = await orgWithUsers(server, 'no-vault', ONE_PER_ROLE);
    });
    afterAll(() => server?.stop());

    it('refuses every vault call that needs a key with CONFLICT and a sentence naming the missing master key, and keeps serving everything else', async () => {
      const refusals = await Promise.allSettled([
        a.client.admin.vault.store.mutate({ kind: 'payer_portal', label: 'Portal', secret: SECRET_A }),
        a.client.admin.vault.reveal.mutate({ id: uuidv7() }),
        a.client.admin.vault.rotateKey.mutate({}),
      ]);
      for (const refusal of refusals) {
        expect(refusal.status).toBe('rejected');
        const error = (refusal as PromiseRejectedResult).reason as { message: string; data?: { appCode?: string } };
        expect(error.data?.appCode).toBe('CONFLICT');
        expect(error.message).toMatch(/vault is not configured on this server.*CLINICSYNC_VAULT_MASTER_KEY_FILE/);
      }
      // Listing needs no key (names only, and there are none); nothing else depends on the vault.
      expect(await a.client.admin.vault.list.query({})).toEqual([]);
      expect(await appCodeOf(a.client.admin.admin.users.list.query())).toBeUndefined();
    });
  });
}
