import { AppError } from '../../shared/errors.ts';

/**
 * Where each org's 32-byte store key lives, wrapped. One contract, two implementations
 * chosen at start-up: Electron's safeStorage (OS keychain / DPAPI / libsecret) inside the
 * app, a passphrase-wrapped file outside it (tests, browser-mode host).
 */
export interface Keystore {
  readonly kind: 'file' | 'safeStorage';
  /** The org's key on this device; created (random) the first time. */
  getOrCreateStoreKey(tenantId: string): Promise<Buffer>;
  deleteStoreKey(tenantId: string): Promise<void>;
}

export type KeystoreFailure = 'unavailable' | 'unwrap_failed' | 'backend_changed';

const MESSAGES: Record<KeystoreFailure, string> = {
  unavailable: "This device's secure key storage is not available, so the local store stays locked.",
  unwrap_failed: "The key for this organization's local store could not be unlocked on this device.",
  backend_changed:
    "This device's secure key storage has changed since the local store was set up, so the store stays locked. Sign in online to download a fresh copy.",
};

/** The store stays locked; never carries key material or the passphrase. */
export class KeystoreError extends AppError {
  readonly reason: KeystoreFailure;
  constructor(reason: KeystoreFailure, options?: { cause?: unknown }) {
    super('STORE_LOCKED', MESSAGES[reason], options);
    this.name = 'KeystoreError';
    this.reason = reason;
  }
}

export const STORE_KEY_LENGTH = 32;
