import { AppError } from '../../shared/errors.ts';

/**
 * Why a store file could not be opened. All share the code STORE_MISMATCH (this file
 * cannot serve as this org's store with this key); `reason` lets the shell pick the dialog.
 * 'damaged' means a page failed its SQLCipher HMAC (or the b-tree is broken): the right
 * key opened it, but the bytes changed since they were written, so the shell discards the
 * copy and pulls the org again.
 * Messages never name the key, the path's owner or any data.
 */
export type StoreOpenFailure = 'wrong_key' | 'not_a_database' | 'other_org' | 'damaged';

const MESSAGES: Record<StoreOpenFailure, string> = {
  wrong_key: "This organization's local store cannot be unlocked with the key on this device.",
  not_a_database: "The organization's local store file is damaged or is not a store.",
  other_org: 'The local store file belongs to a different organization.',
  damaged: "This organization's local copy on this workstation is damaged. It will be downloaded again from the server.",
};

export class StoreOpenError extends AppError {
  readonly reason: StoreOpenFailure;
  constructor(reason: StoreOpenFailure, options?: { cause?: unknown }) {
    super('STORE_MISMATCH', MESSAGES[reason], options);
    this.name = 'StoreOpenError';
    this.reason = reason;
  }
}
