import { join } from 'node:path';
import { z } from 'zod';
import { idSchema } from '../../shared/ids.ts';
import { WIPE_REASONS } from '../../shared/sync/devices.ts';
import { readFileIfPresent, writeFileAtomically } from '../files/atomic-file.ts';

/**
 * The workstation's record of org wipes it has started or finished but not yet reported
 * to the server (`<dataDir>/wipes.json`). A wipe is written here BEFORE anything is
 * deleted, so a crash half-way is finished at the next start, and it stays until the
 * server has the report for its audit trail.
 *
 * The proof is the org's last session token or device credential. It is kept in this
 * plain file only after the server has revoked the device or the org has left, when it
 * no longer opens anything; it is what lets the server tell this device's report from a
 * forged one. It holds no PHI: org id, device id, reason and time.
 */
const receiptSchema = z.object({
  tenantId: idSchema,
  deviceId: idSchema,
  reason: z.enum(WIPE_REASONS),
  wipedAt: z.string(),
  proof: z.string().nullable(),
  state: z.enum(['wiping', 'wiped']),
  orgName: z.string(),
});
export type WipeReceipt = z.infer<typeof receiptSchema>;

const fileSchema = z.object({ version: z.literal(1), receipts: z.array(receiptSchema) });

export function wipeReceiptsPath(dataDir: string): string {
  return join(dataDir, 'wipes.json');
}

/** An unreadable file is treated as empty: the wipes it named are done or redone by the caller. */
export function readWipeReceipts(dataDir: string): WipeReceipt[] {
  const text = readFileIfPresent(wipeReceiptsPath(dataDir));
  if (text === undefined) return [];
  try {
    const parsed = fileSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data.receipts : [];
  } catch {
    return [];
  }
}

export function writeWipeReceipts(dataDir: string, receipts: readonly WipeReceipt[]): void {
  writeFileAtomically(wipeReceiptsPath(dataDir), `${JSON.stringify({ version: 1, receipts }, null, 2)}\n`);
}

export function upsertWipeReceipt(dataDir: string, receipt: WipeReceipt): void {
  const others = readWipeReceipts(dataDir).filter((r) => r.tenantId !== receipt.tenantId);
  writeWipeReceipts(dataDir, [...others, receipt]);
}

export function removeWipeReceipt(dataDir: string, tenantId: string): void {
  writeWipeReceipts(
    dataDir,
    readWipeReceipts(dataDir).filter((r) => r.tenantId !== tenantId),
  );
}
