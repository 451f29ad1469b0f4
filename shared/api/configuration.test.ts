import { describe, expect, it } from 'vitest';
import { DEFAULT_AGENT_CONFIG, agentConfigSchema, agentConfigUpdateInput, claimThresholdsSchema, taxIdSchema } from './configuration.ts';

describe('agent configuration schemas', () => {
  it('accept the defaults', () => {
    expect(agentConfigSchema.parse(DEFAULT_AGENT_CONFIG)).toEqual(DEFAULT_AGENT_CONFIG);
  });

  it('stay strict when extended for the update input', () => {
    expect(agentConfigUpdateInput.safeParse({ ...DEFAULT_AGENT_CONFIG, expectedVersion: 3 }).success).toBe(true);
    expect(agentConfigUpdateInput.safeParse({ ...DEFAULT_AGENT_CONFIG, tenantId: 'x' }).success).toBe(false);
  });

  it('keep thresholds in whole cents and in order', () => {
    const base = DEFAULT_AGENT_CONFIG.claimThresholds;
    expect(claimThresholdsSchema.safeParse({ ...base, autoSubmitMaxAmount: 0.1, reviewAboveAmount: 0.3 }).success).toBe(true);
    expect(claimThresholdsSchema.safeParse({ ...base, reviewAboveAmount: 1.005 }).success).toBe(false);
    expect(claimThresholdsSchema.safeParse({ ...base, autoSubmitMaxAmount: 10, reviewAboveAmount: 5 }).success).toBe(false);
    expect(claimThresholdsSchema.safeParse({ ...base, maxDaysToSubmit: 0 }).success).toBe(false);
  });
});

describe('Tax ID', () => {
  it('is nine digits, stored without the dash', () => {
    expect(taxIdSchema.parse('12-3456789')).toBe('123456789');
    expect(taxIdSchema.parse('123456789')).toBe('123456789');
    for (const bad of ['12-345678', '1-23456789', 'AB-CDEFGHI', '12--3456789']) expect(taxIdSchema.safeParse(bad).success).toBe(false);
  });
});
