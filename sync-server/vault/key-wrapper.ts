/**
 * The master-key layer of the vault, behind one small contract so a cloud KMS (AWS KMS,
 * GCP KMS, Azure Key Vault, an HSM) can replace the local keyring without touching the
 * vault: it wraps and unwraps an org's data key and names the master key it used.
 *
 * `context` is bound to the wrapped key as additional authenticated data (KMS: the
 * encryption context), so a wrapped data key copied to another org or version fails to unwrap.
 */
export interface WrappedKey {
  /** Which master key wrapped it; kept beside the wrapped bytes so old and new keys both unwrap during a rotation. */
  masterKeyId: string;
  wrapped: Buffer;
}

export interface KeyWrapper {
  /** The master key that wraps new data keys (and that a master-key rotation rewraps to). */
  readonly activeKeyId: string;
  /** Every master key id this wrapper can unwrap with. */
  readonly keyIds: readonly string[];
  wrap(dataKey: Buffer, context: Buffer): Promise<WrappedKey>;
  /** Throws when the key id is unknown or the wrapped bytes or context do not authenticate. */
  unwrap(key: WrappedKey, context: Buffer): Promise<Buffer>;
}
