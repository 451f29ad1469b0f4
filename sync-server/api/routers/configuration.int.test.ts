import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requirePostgres, testPostgresUrl } from '../../../test/support/postgres.ts';
import { DEFAULT_AGENT_CONFIG, type AgentConfig } from '../../../shared/api/configuration.ts';
import { uuidv7 } from '../../../shared/ids.ts';
import { testEngines } from '../../testing/engines.ts';
import { appCodeOf, startTestServer, type TestServer } from '../../testing/harness.ts';
import { ONE_PER_ROLE, orgWithUsers, type RoleOrg } from './test-support/domain-orgs.ts';

const engines = testEngines(await requirePostgres('sync-server/api/routers/configuration (PostgreSQL)'), testPostgresUrl());

const profile = (overrides: Record<string, unknown> = {}) => ({
  legalName: 'Northside Family Practice LLC',
  npi: '1234567893',
  taxId: '27-1983046',
  addressLine1: '1 Main St',
  addressLine2: '',
  city: 'Springfield',
  region: 'IL',
  postalCode: '62701',
  country: 'US',
  phone: '555-0100',
  ...overrides,
});

const agentConfig: AgentConfig = {
  codingRules: {
    specialty: 'family_medicine',
    rules: [
      { system: 'CPT', code: '99214', action: 'require_modifier', modifier: '25' },
      { system: 'ICD-10-CM', code: 'E11', action: 'require_review', note: 'Diabetes codes need specificity' },
    ],
  },
  claimThresholds: { autoSubmitMaxAmount: 250.5, reviewAboveAmount: 2000, maxDaysToSubmit: 60, denialRateAlertPercent: 7.5 },
  communication: { channels: ['sms', 'email'], reminderLeadHours: [48, 2], quietHours: { start: '21:00', end: '07:30' }, language: 'en-US', senderName: 'Northside' },
};

for (const engine of engines) {
  describe.skipIf(!engine.available)(`configuration procedures (${engine.name})`, () => {
    let server: TestServer;
    let a: RoleOrg<keyof typeof ONE_PER_ROLE>;
    let b: RoleOrg<keyof typeof ONE_PER_ROLE>;
    let bContractId: string;

    beforeAll(async () => {
      server = await startTestServer(engine);
      [a, b] = await Promise.all([orgWithUsers(server, 'conf-a', ONE_PER_ROLE), orgWithUsers(server, 'conf-b', ONE_PER_ROLE)]);
      await b.client.admin.configuration.profile.update.mutate(profile({ legalName: 'Bee Clinic Inc', taxId: '98-7654321' }));
      const contract = await b.client.admin.configuration.payerContracts.upsert.mutate({ payerName: 'Acme Health', planName: 'Gold PPO', effectiveFrom: '2025-01-01', feeScheduleRef: 'FS-B-2025' });
      bContractId = contract.id;
    });
    afterAll(() => server?.stop());

    it('has no profile until an admin saves one; the admin sees the full Tax ID, everyone else its last four digits', async () => {
      expect(await a.client.desk.configuration.profile.get.query({})).toBeNull();
      const saved = await a.client.admin.configuration.profile.update.mutate(profile({ expectedVersion: 0 }));
      expect(saved).toMatchObject({ legalName: 'Northside Family Practice LLC', taxId: '27-1983046', taxIdMasked: false, version: 1 });
      expect(await a.client.admin.configuration.profile.get.query({})).toMatchObject({ taxId: '27-1983046', taxIdMasked: false });
      for (const reader of [a.client.desk, a.client.doctor, a.client.tech]) {
        const seen = await reader.configuration.profile.get.query({});
        expect(seen).toMatchObject({ legalName: 'Northside Family Practice LLC', taxId: '**-***3046', taxIdMasked: true });
        expect(JSON.stringify(seen)).not.toMatch(/27-?198/);
      }
    });

    it('refuses a stale profile save (CONFLICT) and a bad NPI or Tax ID (VALIDATION)', async () => {
      const current = await a.client.admin.configuration.profile.get.query({});
      await a.client.admin.configuration.profile.update.mutate(profile({ phone: '555-0199', expectedVersion: current!.version }));
      expect(await appCodeOf(a.client.admin.configuration.profile.update.mutate(profile({ expectedVersion: current!.version })))).toBe('CONFLICT');
      expect(await appCodeOf(a.client.admin.configuration.profile.update.mutate(profile({ npi: '1234567890' })))).toBe('VALIDATION');
      expect(await appCodeOf(a.client.admin.configuration.profile.update.mutate(profile({ taxId: '12-345678' })))).toBe('VALIDATION');
    });

    it('adds, edits and lists payer contracts; overlapping periods of one payer plan are a CONFLICT', async () => {
      const gold = await a.client.admin.configuration.payerContracts.upsert.mutate({ payerName: 'Acme Health', planName: 'Gold PPO', effectiveFrom: '2025-01-01', effectiveTo: '2025-12-31', feeScheduleRef: 'FS-2025' });
      const next = await a.client.admin.configuration.payerContracts.upsert.mutate({ payerName: 'Acme Health', planName: 'Gold PPO', effectiveFrom: '2026-01-01', feeScheduleRef: 'FS-2026' });
      expect(await appCodeOf(a.client.admin.configuration.payerContracts.upsert.mutate({ payerName: 'ACME HEALTH', planName: 'gold ppo', effectiveFrom: '2025-06-01', feeScheduleRef: 'FS-X' }))).toBe('CONFLICT');
      expect(await appCodeOf(a.client.admin.configuration.payerContracts.upsert.mutate({ id: gold.id, payerName: 'Acme Health', planName: 'Gold PPO', effectiveFrom: '2025-01-01', effectiveTo: '2026-02-01', feeScheduleRef: 'FS-2025' }))).toBe('CONFLICT');
      const edited = await a.client.admin.configuration.payerContracts.upsert.mutate({ id: gold.id, payerName: 'Acme Health', planName: 'Gold PPO', effectiveFrom: '2025-01-01', effectiveTo: '2025-12-31', feeScheduleRef: 'FS-2025b', expectedVersion: 1 });
      expect(edited).toMatchObject({ id: gold.id, feeScheduleRef: 'FS-2025b', version: 2 });
      expect((await a.client.desk.configuration.payerContracts.list.query({ activeOn: '2026-03-01' })).map((c) => c.id)).toEqual([next.id]);
      expect((await a.client.desk.configuration.payerContracts.list.query({})).map((c) => c.id)).toEqual([gold.id, next.id]);
      expect(await appCodeOf(a.client.admin.configuration.payerContracts.upsert.mutate({ payerName: 'P', planName: 'Q', effectiveFrom: '2025-02-01', effectiveTo: '2025-01-01', feeScheduleRef: 'F' }))).toBe('VALIDATION');
    });

    it('serves the default agent configuration until saved, then the saved one; invalid documents are refused', async () => {
      expect(await a.client.doctor.configuration.agent.get.query({})).toEqual({ ...DEFAULT_AGENT_CONFIG, version: 0 });
      expect(await a.client.admin.configuration.agent.update.mutate({ ...agentConfig, expectedVersion: 0 })).toEqual({ ...agentConfig, version: 1 });
      expect(await a.client.tech.configuration.agent.get.query({})).toEqual({ ...agentConfig, version: 1 });
      expect(await appCodeOf(a.client.admin.configuration.agent.update.mutate({ ...agentConfig, expectedVersion: 0 }))).toBe('CONFLICT');
      const bad: unknown[] = [
        { ...agentConfig, claimThresholds: { ...agentConfig.claimThresholds, autoSubmitMaxAmount: 5000 } },
        { ...agentConfig, claimThresholds: { ...agentConfig.claimThresholds, reviewAboveAmount: 10.001 } },
        { ...agentConfig, codingRules: { specialty: 'family_medicine', rules: [{ system: 'CPT', code: '99214', action: 'require_modifier' }] } },
        { ...agentConfig, communication: { ...agentConfig.communication, channels: ['sms', 'sms'] } },
        { ...agentConfig, communication: { ...agentConfig.communication, extra: true } },
      ];
      for (const input of bad) expect(await appCodeOf(a.client.admin.configuration.agent.update.mutate(input as AgentConfig))).toBe('VALIDATION');
      expect(await a.client.admin.configuration.agent.get.query({})).toMatchObject({ version: 1 });
    });

    it('lets only org admins write configuration', async () => {
      for (const writer of [a.client.desk, a.client.doctor, a.client.tech]) {
        expect(await appCodeOf(writer.configuration.profile.update.mutate(profile()))).toBe('FORBIDDEN');
        expect(await appCodeOf(writer.configuration.payerContracts.upsert.mutate({ payerName: 'P', planName: 'Q', effectiveFrom: '2030-01-01', feeScheduleRef: 'F' }))).toBe('FORBIDDEN');
        expect(await appCodeOf(writer.configuration.agent.update.mutate(agentConfig))).toBe('FORBIDDEN');
      }
    });

    it("keeps each org's settings to itself: B's contract id is NOT_FOUND for A and B is unchanged", async () => {
      const before = await b.client.admin.configuration.payerContracts.list.query({});
      for (const id of [bContractId, uuidv7()]) {
        expect(await appCodeOf(a.client.admin.configuration.payerContracts.upsert.mutate({ id, payerName: 'Hijack', planName: 'X', effectiveFrom: '2020-01-01', feeScheduleRef: 'EVIL' }))).toBe('NOT_FOUND');
      }
      expect(await b.client.admin.configuration.payerContracts.list.query({})).toEqual(before);
      const aSees = JSON.stringify([
        await a.client.admin.configuration.profile.get.query({}),
        await a.client.admin.configuration.payerContracts.list.query({}),
        await a.client.admin.configuration.agent.get.query({}),
      ]);
      expect(aSees).not.toMatch(/Bee Clinic|7654321|FS-B-2025/);
      expect(aSees).not.toContain(bContractId);
      expect(await b.client.admin.configuration.profile.get.query({})).toMatchObject({ legalName: 'Bee Clinic Inc', taxId: '98-7654321' });
      expect(await b.client.desk.configuration.agent.get.query({})).toMatchObject({ version: 0 });
    });
  });
}
