import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFileKeystore } from '../../keystore/file-keystore.ts';
import { createTestClock, type TestClock } from '../../people/testing/test-clock.ts';
import { createWorkstation, type Workstation } from '../../workstation.ts';
import { startAutoEnroll, type AutoEnrollment } from '../auto-enroll.ts';
import { effectiveServerUrl } from '../effective-settings.ts';
import { loadMachinePolicy, type PolicyFile } from '../machine-policy.ts';
import { policyPath } from '../policy-paths.ts';

export interface PolicyStart {
  workstation: Workstation;
  enrollment: AutoEnrollment;
  /** Every event the workstation and the enrollment logged, as the log line would read. */
  logLines: string[];
}

/**
 * One desk managed by a machine policy: its data folder, keystore and clock survive
 * restarts, and `start()` does what both hosts (electron/main/main.ts,
 * electron/host/main.ts) do at start-up: read the policy file, choose the server, create
 * the workstation with the policy's idle lock, and start the policy's enrollment.
 */
export function createPolicyDesk(name: string) {
  const dataDir = mkdtempSync(join(tmpdir(), `clinicsync-policy-${name}-`));
  const policyFile = join(dataDir, 'policy.json');
  const keystore = createFileKeystore({ dir: join(dataDir, 'keys'), passphrase: 'policy-test-passphrase', log: () => {} });
  const clock: TestClock = createTestClock();
  const started: PolicyStart[] = [];
  return {
    dataDir,
    clock,
    writePolicy(content: PolicyFile): void {
      writeFileSync(policyFile, JSON.stringify(content, null, 2), { mode: 0o644 });
    },
    start(fallbackServerUrl = 'http://127.0.0.1:9'): PolicyStart {
      const logLines: string[] = [];
      const log = (event: string, fields: Record<string, string>) => logLines.push(JSON.stringify({ event, ...fields }));
      const policy = loadMachinePolicy(policyPath({ CLINICSYNC_POLICY_FILE: policyFile }));
      const serverUrl = effectiveServerUrl(policy, undefined, fallbackServerUrl, log).value;
      const workstation = createWorkstation({ dataDir, serverUrl, keystore, deviceName: name, clock, log, idleLockMinutes: policy?.idleLockMinutes, managedOrg: policy?.org });
      const enrollment = startAutoEnroll({ workstation, policy, log, backoff: { baseMs: 100, maxMs: 400 } });
      const start = { workstation, enrollment, logLines };
      started.push(start);
      return start;
    },
    async stop(start: PolicyStart): Promise<void> {
      start.enrollment.stop();
      await start.workstation.close();
    },
    async cleanup(): Promise<void> {
      for (const start of started) await this.stop(start);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
