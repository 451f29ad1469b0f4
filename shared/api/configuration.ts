import { z } from 'zod';
import { isoDate, patientFieldsSchema } from '../entities/patient.ts';
import { idSchema } from '../ids.ts';
import { npiSchema } from './personnel.ts';
import { label } from './text.ts';

/**
 * Inputs of the configuration.* procedures and the documents of the per-org agent
 * configuration. Every object is strict and every string, number and list is bounded; the
 * server validates with these same schemas before anything is written.
 */

/** Text that may be left empty (''), otherwise a label. */
const optionalText = (max: number) => z.union([z.literal(''), label(max)]);
const phone = patientFieldsSchema.shape.phone;
/** Guards a lost update: the version the editor started from (CONFLICT if someone saved since). */
const expectedVersion = z.number().int().min(0).max(2_147_483_647).optional();

/** An Employer Identification Number: nine digits, with or without the dash after the second. */
export const taxIdSchema = z
  .string()
  .trim()
  .regex(/^[0-9]{2}-?[0-9]{7}$/, 'must be nine digits (NN-NNNNNNN)')
  .transform((value) => value.replace('-', ''));

export const profileGetInput = z.strictObject({}).prefault({});

export const profileUpdateInput = z.strictObject({
  legalName: label(200),
  npi: npiSchema.nullable(),
  taxId: taxIdSchema.nullable(),
  addressLine1: optionalText(200),
  addressLine2: optionalText(200),
  city: optionalText(100),
  region: optionalText(100),
  postalCode: z.string().trim().regex(/^[A-Za-z0-9 -]{0,20}$/, 'may hold up to 20 letters, digits, spaces and -'),
  country: z.string().regex(/^[A-Z]{2}$/, 'must be a two-letter country code (ISO 3166-1)'),
  phone,
  expectedVersion,
});

export interface PracticeProfileView {
  legalName: string;
  npi: string | null;
  /** The full EIN (NN-NNNNNNN) for those who may edit the profile, otherwise masked to the last four digits. */
  taxId: string | null;
  taxIdMasked: boolean;
  addressLine1: string;
  addressLine2: string;
  city: string;
  region: string;
  postalCode: string;
  country: string;
  phone: string;
  version: number;
  updatedAt: string;
}

export const payerContractListInput = z.strictObject({ activeOn: isoDate.optional() }).prefault({});

/** Without `id` a new contract is made; with `id` that contract is replaced. */
export const payerContractUpsertInput = z
  .strictObject({
    id: idSchema.optional(),
    payerName: label(200),
    planName: label(200),
    effectiveFrom: isoDate,
    effectiveTo: isoDate.nullable().default(null),
    feeScheduleRef: z.string().trim().regex(/^[A-Za-z0-9._-]{1,60}$/, 'may hold 1 to 60 letters, digits and . _ - only'),
    expectedVersion,
  })
  .refine((c) => c.effectiveTo === null || c.effectiveTo >= c.effectiveFrom, { message: 'must not be before effectiveFrom', path: ['effectiveTo'] });

export interface PayerContractView {
  id: string;
  payerName: string;
  planName: string;
  effectiveFrom: string;
  effectiveTo: string | null;
  feeScheduleRef: string;
  version: number;
  updatedAt: string;
}

export const SPECIALTIES = [
  'family_medicine', 'internal_medicine', 'pediatrics', 'obstetrics_gynecology', 'dermatology', 'cardiology',
  'orthopedics', 'psychiatry', 'physical_therapy', 'dentistry', 'veterinary_general', 'veterinary_specialty', 'other',
] as const;

export const CODE_SYSTEMS = ['CPT', 'HCPCS', 'ICD-10-CM', 'VeNom', 'other'] as const;
export const CODING_ACTIONS = ['suggest', 'require_modifier', 'require_review', 'block'] as const;

/** One rule the coding agent applies to a billed code (or every code starting with `code`). */
export const codingRuleSchema = z
  .strictObject({
    system: z.enum(CODE_SYSTEMS),
    code: z.string().regex(/^[A-Z0-9]{1,7}(\.[A-Z0-9]{1,4})?$/, 'must be a billing code or code prefix (A-Z, 0-9, one dot)'),
    action: z.enum(CODING_ACTIONS),
    modifier: z.string().regex(/^[A-Z0-9]{2}$/, 'must be a two-character modifier').optional(),
    note: label(200).optional(),
  })
  .refine((rule) => rule.action !== 'require_modifier' || rule.modifier !== undefined, { message: 'is required for require_modifier', path: ['modifier'] });

export const specialtyCodingRulesSchema = z.strictObject({
  specialty: z.enum(SPECIALTIES),
  rules: z.array(codingRuleSchema).max(200),
});

/** Stored as numeric(·, 2): more decimals would be rounded silently, so they are refused. */
const twoDecimals = (value: number) => Math.abs(value * 100 - Math.round(value * 100)) < 1e-6;

/** Money in the practice's currency: at most 10 million, whole cents. */
const amount = z.number().min(0).max(10_000_000).refine(twoDecimals, 'must be in whole cents');

export const claimThresholdsSchema = z
  .strictObject({
    /** Claims up to this amount go out without a person looking at them. */
    autoSubmitMaxAmount: amount,
    /** Claims above this amount always need a person's review. */
    reviewAboveAmount: amount,
    maxDaysToSubmit: z.number().int().min(1).max(365),
    denialRateAlertPercent: z.number().min(0).max(100).refine(twoDecimals, 'may have at most two decimals'),
  })
  .refine((t) => t.autoSubmitMaxAmount <= t.reviewAboveAmount, { message: 'must not exceed reviewAboveAmount', path: ['autoSubmitMaxAmount'] });

export const CHANNELS = ['sms', 'email', 'voice', 'portal', 'letter'] as const;
const timeOfDay = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a time of day (HH:MM)');

export const communicationPreferencesSchema = z.strictObject({
  channels: z
    .array(z.enum(CHANNELS))
    .min(1)
    .max(CHANNELS.length)
    .refine((channels) => new Set(channels).size === channels.length, 'may not name a channel twice'),
  reminderLeadHours: z.array(z.number().int().min(1).max(336)).max(5),
  quietHours: z.strictObject({ start: timeOfDay, end: timeOfDay }).nullable(),
  language: z.string().regex(/^[a-z]{2}(-[A-Z]{2})?$/, 'must be a language tag like en or en-US'),
  senderName: label(100),
});

export const agentConfigSchema = z.strictObject({
  codingRules: specialtyCodingRulesSchema,
  claimThresholds: claimThresholdsSchema,
  communication: communicationPreferencesSchema,
});

export const agentConfigGetInput = z.strictObject({}).prefault({});
export const agentConfigUpdateInput = agentConfigSchema.extend({ expectedVersion });

export type AgentConfig = z.infer<typeof agentConfigSchema>;
export type ProfileUpdateInput = z.infer<typeof profileUpdateInput>;
export type PayerContractUpsertInput = z.infer<typeof payerContractUpsertInput>;
export type AgentConfigUpdateInput = z.infer<typeof agentConfigUpdateInput>;

export interface AgentConfigView extends AgentConfig {
  /** 0 while the org still runs on the defaults below. */
  version: number;
}

/** What an org's agents use until an admin saves its own configuration: conservative, everything reviewed. */
export const DEFAULT_AGENT_CONFIG: AgentConfig = {
  codingRules: { specialty: 'other', rules: [] },
  claimThresholds: { autoSubmitMaxAmount: 0, reviewAboveAmount: 0, maxDaysToSubmit: 30, denialRateAlertPercent: 10 },
  communication: { channels: ['sms'], reminderLeadHours: [24], quietHours: { start: '20:00', end: '08:00' }, language: 'en', senderName: 'Your clinic' },
};
