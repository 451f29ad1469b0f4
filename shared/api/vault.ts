import { z } from 'zod';
import { idSchema } from '../ids.ts';
import { label } from './text.ts';

/**
 * Inputs of the vault.* procedures: an org's payer-portal and EHR-integration credentials.
 * The secret itself is write-only except through `reveal`; lists carry only the
 * description (kind, label, endpoint) and the key version it is sealed under.
 */
export const VAULT_SECRET_KINDS = ['payer_portal', 'ehr_integration'] as const;
export type VaultSecretKind = (typeof VAULT_SECRET_KINDS)[number];

const expectedVersion = z.number().int().min(0).max(2_147_483_647).optional();

export const vaultStoreInput = z.strictObject({
  /** Absent: a new credential. Present: replaces that credential's description and secret. */
  id: idSchema.optional(),
  kind: z.enum(VAULT_SECRET_KINDS),
  label: label(200),
  endpoint: z.url({ protocol: /^https$/, error: 'must be an https:// URL' }).max(500).nullable().default(null),
  username: z.string().max(200, 'is too long').regex(/^[^\p{Cc}]*$/u, 'may not hold control characters').default(''),
  /** A password, API key or client secret; kept byte for byte (no trimming). */
  secret: z.string().min(1, 'is required').max(8000, 'is too long'),
  expectedVersion,
});
export type VaultStoreInput = z.input<typeof vaultStoreInput>;

export const vaultListInput = z.strictObject({ kind: z.enum(VAULT_SECRET_KINDS).optional() }).prefault({});
export const vaultSecretRef = z.strictObject({ id: idSchema });

/** What lists show: never the username or the secret. */
export interface VaultSecretView {
  id: string;
  kind: VaultSecretKind;
  label: string;
  endpoint: string | null;
  keyVersion: number;
  version: number;
  updatedAt: string;
}

/** What `reveal` answers, for an integration to sign in with. */
export interface VaultRevealed {
  id: string;
  kind: VaultSecretKind;
  endpoint: string | null;
  username: string;
  secret: string;
}
