/**
 * The sync server's procedure paths, named once so the workstation's transport and the
 * server's router cannot drift apart (a test checks the router serves exactly these).
 */
export const SYNC_PROCEDURES = {
  health: 'health', // query, public: { status: 'ok', protocolVersion }
  signIn: 'auth.signIn', // mutation, public: SignInInput -> SessionInfo
  signOut: 'auth.signOut', // mutation: {} -> { ok: true }
  push: 'sync.push', // mutation: PushInput -> PushResult
  pull: 'sync.pull', // query: PullInput -> PullPage
  pokes: 'sync.pokes', // subscription (WebSocket): { protocolVersion } -> Poke events
  checksum: 'sync.checksum', // query: ChecksumInput -> ChecksumResult (a domain's canonical digest; the verdict is audited)
  enroll: 'devices.enroll', // mutation, public: EnrollInput -> EnrollResult (token used up)
  reportWipe: 'devices.reportWipe', // mutation, public: WipeReport -> { ok: true } (proof checked, audited)
  uploadBreakGlass: 'devices.uploadBreakGlass', // mutation: BreakGlassUpload -> { stored: number } (audited)
} as const;

/** The HTTP path the tRPC handler (HTTP batch and WebSocket) is mounted on. */
export const SYNC_API_PATH = '/trpc';

/**
 * The largest WebSocket message the sync server accepts (bytes); a bigger one closes the
 * socket. The workstation sends a call over its poke socket only when it fits.
 */
export const SYNC_WS_MAX_MESSAGE_BYTES = 1024 * 1024;

/**
 * The largest HTTP request body the sync server reads (bytes): a bigger one is refused
 * (413, VALIDATION) as soon as the limit is passed, never buffered whole, whoever sends it
 * (sign-in reads its body before anyone is known). The same bound as one WebSocket message,
 * so both paths take the same calls.
 */
export const SYNC_HTTP_MAX_BODY_BYTES = SYNC_WS_MAX_MESSAGE_BYTES;

/** Room for a call's envelope (id, method, path) around its input, under either limit. */
const SYNC_CALL_ENVELOPE_BYTES = 4 * 1024;

/**
 * The largest input (its JSON, in bytes) one sync call may carry by either path. The
 * workstation keeps each push under it (electron/sync/push-within-bytes.ts); every other
 * call's input is far smaller.
 */
export const SYNC_MAX_INPUT_BYTES = Math.min(SYNC_WS_MAX_MESSAGE_BYTES, SYNC_HTTP_MAX_BODY_BYTES) - SYNC_CALL_ENVELOPE_BYTES;
