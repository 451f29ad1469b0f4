import type { Role } from '../../../shared/sync/auth.ts';
import type { WipeReason } from '../../../shared/sync/devices.ts';
import { deviceCredentialMatches } from '../../auth/device-credential.ts';
import { hashSessionToken, tokenTenant } from '../../auth/session-token.ts';
import type { DomainDb } from '../../db/domain-db.ts';

/** The session a wipe report proved itself with (the audit entry's actor), if the proof was a session token. */
export interface WipeProofSession {
  sessionId: string;
  userId: string;
  role: Role;
}

export type WipeOutcome =
  | { ok: false }
  | { ok: true; proof: 'session'; session: WipeProofSession; firstReport: boolean }
  | { ok: true; proof: 'device_credential'; firstReport: boolean };

/**
 * Reports from workstations that they deleted an org's copy (after DEVICE_REVOKED or
 * ORG_OFFBOARDED). The proof is something only that device of that org ever held: a
 * session token issued to it there (revoked or expired ones count: revocation is what
 * made the device wipe), or its enrollment credential. Works whatever the device's and the
 * org's state, since it comes after both were ended.
 */
export class WipeReports {
  private readonly db: DomainDb;

  constructor(db: DomainDb) {
    this.db = db;
  }

  /**
   * Checks the proof and records the first report (later ones change nothing). The wipe
   * time is the device's, but never later than now: a workstation clock running ahead
   * cannot date a wipe after the server received its report.
   */
  async record(tenantId: string, report: { deviceId: string; reason: WipeReason; wipedAt: string; proof: string }): Promise<WipeOutcome> {
    const viaSession = tokenTenant(report.proof) === tenantId;
    return this.db.withTenant(tenantId, async (sql) => {
      const [device] = await sql.query<{ credentialHash: string | null }>(
        'SELECT credential_hash AS "credentialHash" FROM tenant_info.devices WHERE tenant_id = $1 AND id = $2 FOR UPDATE',
        [tenantId, report.deviceId],
      );
      if (!device) return { ok: false } as const;
      let session: WipeProofSession | null = null;
      if (viaSession) {
        const rows = await sql.query<WipeProofSession>(
          `SELECT s.id::text AS "sessionId", s.user_id::text AS "userId", m.role
           FROM tenant_info.sessions s JOIN tenant_info.memberships m ON m.tenant_id = s.tenant_id AND m.account_id = s.user_id
           WHERE s.tenant_id = $1 AND s.token_hash = $2 AND s.device_id = $3`,
          [tenantId, hashSessionToken(report.proof), report.deviceId],
        );
        session = rows[0] ?? null;
        if (!session) return { ok: false } as const;
      } else if (device.credentialHash === null || !deviceCredentialMatches(report.proof, device.credentialHash)) {
        return { ok: false } as const;
      }
      const recorded = await sql.execute(
        `UPDATE tenant_info.devices SET wiped_at = least($3::timestamptz, now()), wipe_reason = $4
         WHERE tenant_id = $1 AND id = $2 AND wiped_at IS NULL`,
        [tenantId, report.deviceId, report.wipedAt, report.reason],
      );
      const firstReport = recorded > 0;
      return session ? ({ ok: true, proof: 'session', session, firstReport } as const) : ({ ok: true, proof: 'device_credential', firstReport } as const);
    });
  }
}
