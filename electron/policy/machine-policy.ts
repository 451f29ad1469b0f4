import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { AppError } from '../../shared/errors.ts';
import { orgCodeSchema, orgPolicySchema } from '../../shared/sync/auth.ts';
import { enrollmentTokenSchema } from '../../shared/sync/devices.ts';
import { CertificateEntryError, readCertificateEntry } from './policy-certificates.ts';
import { describeIssues, jsonSyntaxProblem } from './policy-problems.ts';

const webUrl = (what: string, httpsOnly = false) =>
  z
    .url({
      protocol: httpsOnly ? /^https$/ : /^https?$/,
      error: (issue) => (issue.input === undefined ? 'is required' : `must be an ${httpsOnly ? 'https://' : 'http:// or https://'} address of ${what}`),
    })
    // A user name or password in the address would sit in a file every user can read.
    .refine((value) => !/^[a-z]+:\/\/[^/]*@/i.test(value), 'must not contain a user name or password');

/**
 * The update feed: HTTPS only (on Linux the feed's TLS is all that vouches for an update),
 * and no query or fragment: electron-updater resolves `latest.yml` against the folder, which
 * drops both, so a signed-URL token there would never be sent anyway (and is a credential).
 */
const updateFeedUrl = webUrl('the update feed (a folder holding latest.yml)', true).refine(
  (value) => !/[?#]/.test(value),
  'must be a plain folder address, without ?… or #… (no tokens or signatures in it)',
);

/** NO_PROXY syntax: a host, `.domain` or `*.domain`, an IP address, optionally `:port`; `*` bypasses the proxy for everything. */
const bypassEntry = z.string().trim().regex(/^[^\s,]+$/, 'must be one host, domain or IP address (no spaces or commas)');

/** The file as IT writes it. Unknown keys are refused by name: a misspelt setting must not be silently ignored. */
export const policyFileSchema = z
  .strictObject({
    /** Free text for IT's own notes; ignored. */
    comment: z.string().optional(),
    serverUrl: webUrl('the sync server').optional(),
    org: orgCodeSchema.optional(),
    enrollmentToken: enrollmentTokenSchema.optional(),
    proxy: z
      .strictObject({
        url: webUrl('the proxy'),
        bypass: z.array(bypassEntry).default([]),
      })
      .optional(),
    extraCaCertificates: z.array(z.string().trim().min(1, 'must name a certificate file or hold PEM text')).default([]),
    updateChannel: z
      .string()
      .regex(/^[a-z][a-z0-9-]{0,31}$/, 'must be a channel name such as "stable" or "pilot" (lower-case letters, digits and dashes)')
      .optional(),
    /** false: the in-app updater is off (IT deploys every version itself, e.g. the MSI through Intune or GPO). */
    autoUpdate: z.boolean().optional(),
    /** The update feed (an internal mirror); wins over CLINICSYNC_UPDATE_URL and the build's own feed. */
    updateUrl: updateFeedUrl.optional(),
    // The same bounds as the org's own idle lock (shared schema), so both are comparable.
    idleLockMinutes: orgPolicySchema.shape.idleLockMinutes.optional(),
  })
  .refine((p) => p.enrollmentToken === undefined || p.serverUrl !== undefined, {
    path: ['serverUrl'],
    message: 'is required with enrollmentToken (the token is redeemed at that server)',
  })
  // Settings that would be silently ignored are refused, as a misspelt key is: IT meant something by them.
  .refine((p) => p.autoUpdate !== false || p.updateUrl === undefined, {
    path: ['updateUrl'],
    message: 'has no effect with "autoUpdate": false (the in-app updater is off); remove one of the two',
  })
  .refine((p) => p.autoUpdate !== false || p.updateChannel === undefined, {
    path: ['updateChannel'],
    message: 'has no effect with "autoUpdate": false (the in-app updater is off); remove one of the two',
  });

export type PolicyFile = z.input<typeof policyFileSchema>;

/**
 * The machine-wide policy as the workstation uses it. Absent fields leave the user's
 * setting (or the default) in force; see docs/it-deployment.md for the precedence.
 */
export interface MachinePolicy {
  /** The file it was read from (for messages and logs). */
  readonly file: string;
  readonly serverUrl?: string;
  /** The org code this workstation is set up for; the enrollment must land in it. */
  readonly org?: string;
  /** One-time token (`clinicsync-server device enroll-token`); a secret: never logged or echoed. */
  readonly enrollmentToken?: string;
  readonly proxy?: { readonly url: string; readonly bypass: readonly string[] };
  /** PEM text of every extra trusted certificate, already parsed once. */
  readonly extraCaCertificates: readonly string[];
  /** The update channel the updater follows (electron/updates/); policy beats the user's choice. */
  readonly updateChannel?: string;
  /** false: the in-app updater never checks or downloads (IT deploys versions itself). Absent: updates on. */
  readonly autoUpdate?: boolean;
  /** The update feed IT chose (https, no credentials); wins over CLINICSYNC_UPDATE_URL and the build's feed. */
  readonly updateUrl?: string;
  /** Upper bound for the idle lock: the stricter of this and the org's own policy applies. */
  readonly idleLockMinutes?: number;
}

/** The policy file exists but cannot be used: start-up stops with this sentence (file and fields named, values never). */
export class PolicyFileError extends AppError {
  readonly file: string;
  readonly problems: readonly string[];
  constructor(file: string, problems: string[]) {
    super('VALIDATION', `The Clinicsync machine policy ${file} cannot be used:\n${problems.map((p) => `  - ${p}`).join('\n')}\nClinicsync does not start until IT corrects the file (or removes it).`);
    this.name = 'PolicyFileError';
    this.file = file;
    this.problems = problems;
  }
}

/** Text of the file, whatever editor wrote it: UTF-8 with or without BOM, or UTF-16 LE (Windows PowerShell 5's default). */
function decode(bytes: Buffer): string {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return bytes.subarray(2).toString('utf16le');
  const text = bytes.toString('utf8');
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/**
 * Reads and validates the machine policy. No file: null (no policy, which is fine). A file
 * that cannot be read, is not JSON, breaks the schema, names an unknown setting or a bad
 * certificate, or can be changed by any user: PolicyFileError.
 */
export function loadMachinePolicy(file: string): MachinePolicy | null {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return null;
    throw new PolicyFileError(file, [code === 'EISDIR' ? 'is a folder, not a file' : `cannot be read (${code ?? 'error'}); the workstation's user needs read access`]);
  }
  // On Linux and macOS a file any user can change could point every workstation at another server.
  if (process.platform !== 'win32' && (statSync(file).mode & 0o002) !== 0) {
    throw new PolicyFileError(file, ['can be changed by every user of this machine; make it writable by administrators only (chmod o-w)']);
  }
  const text = decode(bytes);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new PolicyFileError(file, [jsonSyntaxProblem(error, text)]);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new PolicyFileError(file, ['must hold one JSON object ({ … })']);

  const parsed = policyFileSchema.safeParse(json);
  if (!parsed.success) throw new PolicyFileError(file, describeIssues(parsed.error.issues, Object.keys(policyFileSchema.shape)));
  const p = parsed.data;

  const policyDir = path.dirname(file);
  const certificates: string[] = [];
  const certificateProblems: string[] = [];
  p.extraCaCertificates.forEach((entry, index) => {
    try {
      certificates.push(...readCertificateEntry(entry, policyDir));
    } catch (error) {
      if (!(error instanceof CertificateEntryError)) throw error;
      certificateProblems.push(`extraCaCertificates[${index}]: ${error.message}`);
    }
  });
  if (certificateProblems.length > 0) throw new PolicyFileError(file, certificateProblems);

  return {
    file,
    extraCaCertificates: certificates,
    ...(p.serverUrl !== undefined ? { serverUrl: p.serverUrl } : {}),
    ...(p.org !== undefined ? { org: p.org } : {}),
    ...(p.enrollmentToken !== undefined ? { enrollmentToken: p.enrollmentToken } : {}),
    ...(p.proxy !== undefined ? { proxy: { url: p.proxy.url, bypass: p.proxy.bypass } } : {}),
    ...(p.updateChannel !== undefined ? { updateChannel: p.updateChannel } : {}),
    ...(p.autoUpdate !== undefined ? { autoUpdate: p.autoUpdate } : {}),
    ...(p.updateUrl !== undefined ? { updateUrl: p.updateUrl } : {}),
    ...(p.idleLockMinutes !== undefined ? { idleLockMinutes: p.idleLockMinutes } : {}),
  };
}
