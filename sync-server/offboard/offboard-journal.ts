import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { DedicatedTarget } from '../placement/placement-target.ts';
import type { TableCount } from './org-rows.ts';

/** The steps of an offboarding, in the order they run. */
export const OFFBOARD_STEPS = ['freeze', 'export', 'count', 'shred', 'delete', 'verify', 'certificate', 'mark'] as const;
export type OffboardStep = (typeof OFFBOARD_STEPS)[number];

export interface StepTimes {
  startedAt: string;
  finishedAt?: string;
}

/**
 * The durable record of one org's offboarding: which steps have finished and the evidence
 * each produced (the counts taken before deletion cannot be taken again afterwards). Kept
 * as a file next to the certificate rather than a row in tenant_info: the evidence must
 * survive the deletion it describes, belongs with the certificate it becomes, and needs no
 * schema of its own. Ids, counts, hashes and times only: no PHI.
 */
export interface OffboardJournal {
  format: 'clinicsync.offboarding-journal.v1';
  tenantId: string;
  tenantCode: string;
  deployment: string;
  operator: string;
  steps: Partial<Record<OffboardStep, StepTimes>>;
  export?: { manifestSha256: string; resources: number; operationalFiles: number };
  before?: TableCount[];
  /** Where the org's dedicated databases were when counted (null: it had none). */
  dedicated?: DedicatedTarget | null;
  shred?: { destroyedKeys: number };
  delete?: { rowsDeletedAt: string; dropped: string | null };
  after?: TableCount[];
  certificateSha256?: string;
}

export const JOURNAL_FILE = 'offboarding-journal.json';

export function journalPath(outDir: string): string {
  return join(outDir, JOURNAL_FILE);
}

export function readJournal(outDir: string): OffboardJournal | null {
  const path = journalPath(outDir);
  if (!existsSync(path)) return null;
  const journal = JSON.parse(readFileSync(path, 'utf8')) as OffboardJournal;
  if (journal.format !== 'clinicsync.offboarding-journal.v1') throw new Error(`${path} is not an offboarding journal`);
  return journal;
}

/**
 * Replaces the journal atomically and durably: a temporary file is written and fsynced,
 * renamed over the old one, and the folder fsynced, so a kill -9 or a power cut leaves
 * either the previous journal or this one, never half of one.
 */
export function writeJournal(outDir: string, journal: OffboardJournal): void {
  writeDurably(journalPath(outDir), `${JSON.stringify(journal, null, 2)}\n`);
}

export function writeDurably(path: string, text: string): void {
  const temporary = `${path}.tmp`;
  const fd = openSync(temporary, 'w', 0o600);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temporary, path);
  const dir = openSync(dirname(path), 'r');
  try {
    fsyncSync(dir);
  } finally {
    closeSync(dir);
  }
}
