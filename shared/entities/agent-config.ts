import { z } from 'zod';
import { communicationPreferencesSchema, specialtyCodingRulesSchema } from '../api/configuration.ts';

/**
 * The part of the org's agent configuration workstations get (configuration), one per org
 * (its id is the org's id; the defaults until an admin saves one).
 *
 * Synced: codingRules (clinicians see which codes need a modifier or review while they
 * chart) and communication (the desk tells patients how and when reminders come). Neither
 * holds a credential: channels, hours, language and a sender name only.
 * NOT synced: claimThresholds. The amount below which claims go out without review is a
 * billing control; every role that signs in on a workstation could read it from the store
 * and keep claims under it. The billing agents run on the server and read it there.
 * Also not synced: updated_by (internal user id).
 */
export const agentConfigFieldsSchema = z.object({
  codingRules: specialtyCodingRulesSchema,
  communication: communicationPreferencesSchema,
});

export type AgentConfigFields = z.infer<typeof agentConfigFieldsSchema>;
