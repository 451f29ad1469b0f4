import { AppError } from '../../shared/errors.ts';
import { PROTOCOL_VERSION } from '../../shared/sync/version.ts';
import { reportWipeToServer } from '../sync/transport.ts';
import { readWipeReceipts, removeWipeReceipt } from './wipe-receipts.ts';

export type WipeReportOutcome = 'reported' | 'refused' | 'kept';

/** Server answers that mean the report can never be accepted: retrying would only repeat them. */
const FINAL_REFUSALS = new Set(['INVALID_CREDENTIALS', 'VALIDATION', 'TENANT_UNKNOWN', 'NOT_FOUND']);

/**
 * Sends every finished wipe this workstation has not reported yet, so the org's audit
 * trail records it. A receipt is dropped once the server accepted it, or refused it for
 * good (the refusal is logged, by org id only); while the server is unreachable it is kept
 * for the next contact.
 */
export async function reportFinishedWipes(
  serverUrl: string,
  dataDir: string,
  log: (event: string, fields: Record<string, string>) => void,
  signal?: AbortSignal,
): Promise<Map<string, WipeReportOutcome>> {
  const outcomes = new Map<string, WipeReportOutcome>();
  for (const receipt of readWipeReceipts(dataDir)) {
    if (receipt.state !== 'wiped') continue;
    if (receipt.proof === null) {
      log('wipe_report_skipped', { tenantId: receipt.tenantId, why: 'no_proof' });
      removeWipeReceipt(dataDir, receipt.tenantId);
      outcomes.set(receipt.tenantId, 'refused');
      continue;
    }
    try {
      await reportWipeToServer(
        serverUrl,
        { protocolVersion: PROTOCOL_VERSION, tenantId: receipt.tenantId, deviceId: receipt.deviceId, reason: receipt.reason, wipedAt: receipt.wipedAt, proof: receipt.proof },
        signal,
      );
      removeWipeReceipt(dataDir, receipt.tenantId);
      outcomes.set(receipt.tenantId, 'reported');
    } catch (error) {
      const code = error instanceof AppError ? error.code : 'INTERNAL';
      if (FINAL_REFUSALS.has(code)) {
        log('wipe_report_refused', { tenantId: receipt.tenantId, code });
        removeWipeReceipt(dataDir, receipt.tenantId);
        outcomes.set(receipt.tenantId, 'refused');
      } else {
        outcomes.set(receipt.tenantId, 'kept');
      }
    }
  }
  return outcomes;
}
