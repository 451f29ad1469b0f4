import type { CaseBuilder } from '../../support/attack-case.ts';
import { idOf, type AttackFixture } from '../../support/attack-fixture.ts';
import { newNpi } from '../planted-data.ts';
import { fresh, noCrossOrgConflict } from './judges.ts';

const agentConfig = {
  codingRules: { specialty: 'pediatrics', rules: [{ system: 'CPT', code: '99214', action: 'require_modifier', modifier: '25', note: 'Check the modifier' }] },
  claimThresholds: { autoSubmitMaxAmount: 150, reviewAboveAmount: 900, maxDaysToSubmit: 45, denialRateAlertPercent: 7.5 },
  communication: { channels: ['sms', 'email'], reminderLeadHours: [48, 2], quietHours: { start: '21:00', end: '07:30' }, language: 'en-US', senderName: 'Our clinic' },
};

function profile(overrides: Record<string, unknown> = {}) {
  return {
    legalName: 'Attack Run Practice LLC',
    npi: newNpi(),
    taxId: '12-3456789',
    addressLine1: '9 Main Street',
    addressLine2: 'Suite 2',
    city: 'Springfield',
    region: 'IL',
    postalCode: '62701',
    country: 'US',
    phone: '555-0100',
    ...overrides,
  };
}

/** configuration.*: practice profile, payer contracts, agent configuration. */
export const configurationCases: Record<string, CaseBuilder> = {
  'configuration.profile.get': () => ({ role: 'front_desk', input: () => ({}), crossIds: [] }),

  'configuration.profile.update': ({ b }: AttackFixture) => ({
    role: 'org_admin',
    input: () => profile(),
    crossIds: [],
    extra: [
      {
        kind: 'uniqueness-oracle',
        name: "B's practice NPI and Tax ID in A's profile",
        input: profile({ npi: b.markers.filter((m) => /^[0-9]{10}$/.test(m)).at(-1), taxId: b.markers.find((m) => /^[0-9]{2}-[0-9]{7}$/.test(m)) }),
        expect: noCrossOrgConflict,
      },
    ],
  }),

  'configuration.payerContracts.list': () => ({ role: 'front_desk', input: () => ({ activeOn: '2030-06-01' }), crossIds: [] }),

  'configuration.payerContracts.upsert': ({ a, b }: AttackFixture) => ({
    role: 'org_admin',
    input: () => ({ id: idOf(a, 'payerContract'), payerName: `Payer ${fresh()}`, planName: 'Silver', effectiveFrom: '2031-01-01', effectiveTo: '2031-12-31', feeScheduleRef: 'FS-A.1' }),
    crossIds: [{ path: ['id'], id: idOf(b, 'payerContract') }],
    extra: [
      {
        kind: 'uniqueness-oracle',
        name: "a new contract overlapping B's (same payer, plan, period)",
        input: { payerName: b.markers.find((m) => m.startsWith('Payer ')) ?? 'Payer', planName: 'Gold', effectiveFrom: '2030-01-01', feeScheduleRef: 'FS-1' },
        expect: noCrossOrgConflict,
      },
    ],
  }),

  'configuration.agent.get': () => ({ role: 'front_desk', input: () => ({}), crossIds: [] }),

  'configuration.agent.update': () => ({ role: 'org_admin', input: () => agentConfig, crossIds: [] }),
};
