import { join } from 'node:path';
import { z } from 'zod';
import { readJsonFileOr, writeFileAtomically } from '../files/atomic-file.ts';

/**
 * Did the last update take, and did the new version start healthy? A small state machine
 * kept in a plain file (versions, counts and times only; nothing about patients or orgs):
 *
 *   beforeInstall(from, to)      written just before the installer runs
 *   onStart(running)             every start, before anything else:
 *     running = to               → one more start of the new version awaiting confirmation;
 *                                  after `maxUnconfirmedStarts` of them the version has failed:
 *                                  it is blocked and the workstation enters recovery
 *     running = from             → the installer did not replace the app (cancelled, refused
 *                                  its signature, failed); twice for one version blocks it
 *   confirmHealthy(running)      the new version started and served a session (or ran long
 *                                  enough): the update took, recovery ends
 *
 * Recovery lets the updater install an OLDER version from the channel (allowDowngrade), so
 * when IT puts the previous release back on the feed, a workstation stuck on a bad version
 * goes back to it; a blocked version is never offered again by the updater.
 */

const version = z.string().min(1).max(64);
const stateSchema = z.object({
  pending: z.object({ from: version, to: version, unconfirmedStarts: z.number().int().min(0), installRequestedAt: z.string() }).nullable(),
  failedInstalls: z.record(version, z.number().int().min(0)),
  blocked: z.array(z.object({ version, reason: z.enum(['failed_to_start', 'did_not_install']), at: z.string() })),
  recovery: z.object({ badVersion: version, since: z.string() }).nullable(),
});
export type UpdateHealthState = z.infer<typeof stateSchema>;

export const EMPTY_STATE: UpdateHealthState = { pending: null, failedInstalls: {}, blocked: [], recovery: null };
export const DEFAULT_MAX_UNCONFIRMED_STARTS = 3;
const MAX_FAILED_INSTALLS = 2;

export type StartOutcome =
  | { kind: 'normal' }
  | { kind: 'awaiting_confirmation'; from: string; to: string; start: number }
  | { kind: 'failed_to_start'; from: string; to: string; starts: number }
  | { kind: 'did_not_install'; from: string; to: string; attempts: number; blocked: boolean };

export function beforeInstall(state: UpdateHealthState, from: string, to: string, now: Date): UpdateHealthState {
  return { ...state, pending: { from, to, unconfirmedStarts: 0, installRequestedAt: now.toISOString() } };
}

export function onStart(state: UpdateHealthState, running: string, now: Date, maxUnconfirmedStarts = DEFAULT_MAX_UNCONFIRMED_STARTS): { state: UpdateHealthState; outcome: StartOutcome } {
  const { pending } = state;
  if (!pending) return { state, outcome: { kind: 'normal' } };
  const { from, to } = pending;
  if (running === to) {
    const start = pending.unconfirmedStarts + 1;
    if (start <= maxUnconfirmedStarts) {
      return { state: { ...state, pending: { ...pending, unconfirmedStarts: start } }, outcome: { kind: 'awaiting_confirmation', from, to, start } };
    }
    const blocked = [...state.blocked.filter((b) => b.version !== to), { version: to, reason: 'failed_to_start' as const, at: now.toISOString() }];
    return {
      state: { ...state, pending: null, blocked, recovery: { badVersion: to, since: now.toISOString() } },
      outcome: { kind: 'failed_to_start', from, to, starts: pending.unconfirmedStarts },
    };
  }
  if (running === from) {
    const attempts = (state.failedInstalls[to] ?? 0) + 1;
    const block = attempts >= MAX_FAILED_INSTALLS;
    const blocked = block ? [...state.blocked.filter((b) => b.version !== to), { version: to, reason: 'did_not_install' as const, at: now.toISOString() }] : state.blocked;
    return {
      state: { ...state, pending: null, failedInstalls: { ...state.failedInstalls, [to]: attempts }, blocked },
      outcome: { kind: 'did_not_install', from, to, attempts, blocked: block },
    };
  }
  // Neither: someone installed another version by hand (e.g. IT's MSI). Nothing to judge.
  return { state: { ...state, pending: null }, outcome: { kind: 'normal' } };
}

/** The running version works: a pending update to it took, and any recovery ended (we no longer run the bad version). */
export function confirmHealthy(state: UpdateHealthState, running: string): UpdateHealthState {
  const pending = state.pending?.to === running ? null : state.pending;
  const recovery = state.recovery && state.recovery.badVersion !== running ? null : state.recovery;
  const { [running]: _settled, ...failedInstalls } = state.failedInstalls;
  return { ...state, pending, recovery, failedInstalls };
}

export function isBlocked(state: UpdateHealthState, candidate: string): boolean {
  return state.blocked.some((b) => b.version === candidate);
}

/** The state file under the workstation's data folder; a missing or unreadable file counts as empty. */
export function updateHealthFile(dataDir: string): { path: string; read(): UpdateHealthState; write(state: UpdateHealthState): void } {
  const path = join(dataDir, 'updates', 'update-state.json');
  return {
    path,
    read: () => readJsonFileOr(path, stateSchema, () => EMPTY_STATE),
    write(state) {
      writeFileAtomically(path, JSON.stringify(stateSchema.parse(state), null, 2));
    },
  };
}
