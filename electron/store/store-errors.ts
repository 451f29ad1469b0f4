import { AppError } from '../../shared/errors.ts';

/**
 * Why a store file could not be opened. All share the code STORE_MISMATCH (this file
 * cannot serve as this org's store with this key); `reason` lets the shell pick the dialog.
 * 'damaged' means a page failed its SQLCipher HMAC (or the b-tree is broken): the right
 * key opened it, but the bytes changed since they were written, so the shell discards the
 * copy and pulls the org again.
 * 'restored' means the file is an older copy than the one this workstation last used (a
 * backup or disk image was put back): OrgStore.openRestoredCopy brings it up to date.
 * 'newer_schema' means a newer Clinicsync made the file; 'upgrade_failed' means a schema
 * step of this app failed and was rolled back. Neither changes the file.
 * Messages never name the key, the path's owner or any data.
 */
export type StoreOpenFailure = 'wrong_key' | 'not_a_database' | 'other_org' | 'damaged' | 'restored' | 'newer_schema' | 'upgrade_failed';

const MESSAGES: Record<StoreOpenFailure, string> = {
  wrong_key: "This organization's local store cannot be unlocked with the key on this device.",
  not_a_database: "The organization's local store file is damaged or is not a store.",
  other_org: 'The local store file belongs to a different organization.',
  damaged: "This organization's local copy on this workstation is damaged. It will be downloaded again from the server.",
  restored:
    "This organization's local copy on this workstation is older than the one this workstation last used (it was probably restored from a backup). " +
    'It will be brought up to date from the server; local changes that were not sent yet are kept.',
  newer_schema: "This organization's local store was made by a newer version of Clinicsync. Update this app to open it; nothing was changed.",
  upgrade_failed: "This organization's local store could not be upgraded for this version of Clinicsync. Its data was left as it was; contact IT support.",
};

export class StoreOpenError extends AppError {
  readonly reason: StoreOpenFailure;
  constructor(reason: StoreOpenFailure, options?: { cause?: unknown }) {
    super('STORE_MISMATCH', MESSAGES[reason], options);
    this.name = 'StoreOpenError';
    this.reason = reason;
  }
}
