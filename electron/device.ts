import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { idSchema, uuidv7 } from '../shared/ids.ts';

const deviceFileSchema = z.object({ deviceId: idSchema, createdAt: z.string() });

/**
 * This workstation's stable id (`<dataDir>/device.json`). Not a secret: it names the
 * device to the server and is the node id of its hybrid logical clock.
 */
export function loadOrCreateDeviceId(dataDir: string): string {
  const path = join(dataDir, 'device.json');
  try {
    const parsed = deviceFileSchema.safeParse(JSON.parse(readFileSync(path, 'utf8')));
    if (parsed.success) return parsed.data.deviceId;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT' && !(error instanceof SyntaxError)) throw error;
  }
  const deviceId = uuidv7();
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(path, `${JSON.stringify({ deviceId, createdAt: new Date().toISOString() }, null, 2)}\n`, { mode: 0o644 });
  return deviceId;
}
