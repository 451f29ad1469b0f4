import { mergedFeed, serverRowFeed } from '../../sync/feed-reader.ts';

/**
 * The configuration feed workstations pull. Each reader selects exactly the columns of its
 * entity (shared/entities/{practice-profile,payer-contract,agent-config}.ts say why each
 * one is in or out): the Tax ID, the claim thresholds and updated_by are never read here,
 * so they cannot reach a workstation by accident. The profile and agent configuration are
 * one row per org, keyed by the org's id, which is also their entity id on the wire.
 */
const readProfileChanges = serverRowFeed<Record<string, unknown>>({
  domain: 'configuration',
  entity: 'practice_profile',
  from: 'configuration.practice_profiles t',
  on: 't.tenant_id = c.tenant_id AND t.tenant_id = c.entity_id',
  select: `t.legal_name AS "legalName", t.npi, t.address_line1 AS "addressLine1", t.address_line2 AS "addressLine2",
    t.city, t.region, t.postal_code AS "postalCode", t.country, t.phone`,
  toFields: ({ legalName, npi, addressLine1, addressLine2, city, region, postalCode, country, phone }) =>
    ({ legalName, npi, addressLine1, addressLine2, city, region, postalCode, country, phone }),
});

const readPayerContractChanges = serverRowFeed<Record<string, unknown>>({
  domain: 'configuration',
  entity: 'payer_contract',
  from: 'configuration.payer_contracts t',
  on: 't.tenant_id = c.tenant_id AND t.id = c.entity_id',
  select: `t.payer_name AS "payerName", t.plan_name AS "planName", t.effective_from::text AS "effectiveFrom",
    t.effective_to::text AS "effectiveTo", t.fee_schedule_ref AS "feeScheduleRef"`,
  toFields: ({ payerName, planName, effectiveFrom, effectiveTo, feeScheduleRef }) => ({ payerName, planName, effectiveFrom, effectiveTo, feeScheduleRef }),
});

const readAgentConfigChanges = serverRowFeed<Record<string, unknown>>({
  domain: 'configuration',
  entity: 'agent_config',
  from: 'configuration.agent_configs t',
  on: 't.tenant_id = c.tenant_id AND t.tenant_id = c.entity_id',
  select: 't.coding_rules AS "codingRules", t.communication',
  toFields: ({ codingRules, communication }) => ({ codingRules, communication }),
});

export const readConfigurationChanges = mergedFeed({
  practice_profile: readProfileChanges,
  payer_contract: readPayerContractChanges,
  agent_config: readAgentConfigChanges,
});
