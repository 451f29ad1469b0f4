import { open, seal } from './aead.ts';
import type { KeyWrapper, WrappedKey } from './key-wrapper.ts';
import type { MasterKeyring } from './master-keyring.ts';

/** The KeyWrapper on a local keyring (master-keyring.ts): AES-256-GCM under the named master key. */
export class LocalKeyWrapper implements KeyWrapper {
  readonly activeKeyId: string;
  readonly keyIds: readonly string[];
  private readonly keys: ReadonlyMap<string, Buffer>;

  constructor(keyring: MasterKeyring) {
    this.activeKeyId = keyring.activeKeyId;
    this.keys = keyring.keys;
    this.keyIds = [...keyring.keys.keys()];
  }

  async wrap(dataKey: Buffer, context: Buffer): Promise<WrappedKey> {
    return { masterKeyId: this.activeKeyId, wrapped: seal(this.keys.get(this.activeKeyId)!, dataKey, context) };
  }

  async unwrap(key: WrappedKey, context: Buffer): Promise<Buffer> {
    const master = this.keys.get(key.masterKeyId);
    if (!master) throw new UnknownMasterKey(key.masterKeyId);
    return open(master, key.wrapped, context);
  }
}

/** A data key is wrapped under a master key this server was not given (removed from the keyring too early). */
export class UnknownMasterKey extends Error {
  override name = 'UnknownMasterKey';
  constructor(keyId: string) {
    super(`master key "${keyId}" is not in this server's keyring`);
  }
}
