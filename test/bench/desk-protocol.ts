/** What the bench asks of a desk process (desk-process.ts) over IPC, and how it answers. */
export interface SignInArgs {
  dataDir: string;
  serverUrl: string;
  org: string;
  username: string;
  password: string;
  name: string;
}

export type DeskCommand =
  | { cmd: 'bootstrap'; args: SignInArgs }
  | { cmd: 'syncNow' }
  | { cmd: 'create'; mrn: string }
  | { cmd: 'watch'; mrn: string }
  | { cmd: 'seen'; mrn: string }
  | { cmd: 'offlineBurst'; count: number; tag: string }
  | { cmd: 'replay' }
  | { cmd: 'counts' }
  | { cmd: 'insertLimit'; args: SignInArgs }
  | { cmd: 'close' };

export type DeskReply = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: string };

export interface BootstrapResult {
  /** From sign-in done (engine started) to syncNow() done. */
  seconds: number;
  signInSeconds: number;
  counts: Record<string, number>;
  /** V8 heap and buffers outside it at the end (the rest of the RSS is native: SQLite's page cache, code). */
  heapMb: number;
  externalMb: number;
}
