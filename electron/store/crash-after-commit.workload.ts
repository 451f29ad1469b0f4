/**
 * Child process for restored-copy.test.ts: opens a store, commits one patient, and dies
 * by SIGKILL in the same synchronous turn, i.e. after the store commit and before the
 * watermark file can follow it (the window a power cut or a crash can hit).
 * The key travels in argv only because it is a throwaway test key.
 *   node crash-after-commit.workload.ts <store path> <key hex> <tenant id> <device id>
 */
import { OrgStore } from './org-store.ts';

const [path = '', keyHex = '', tenantId = '', deviceId = ''] = process.argv.slice(2);
const store = OrgStore.open({ path, key: Buffer.from(keyHex, 'hex'), tenantId, deviceId });
store.patients.create({ givenName: 'Ada', familyName: 'Crashwrite', birthDate: '1980-02-29', sex: 'female', phone: '+1 555-0100', mrn: 'CRASH-1' });
process.kill(process.pid, 'SIGKILL');
