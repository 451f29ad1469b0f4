import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Flags that keep Chromium quiet and self-contained on a CI box (no sandbox as root). */
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export type ChromiumAvailability = { ok: true } | { ok: false; reason: string };

export function chromiumAvailability(): ChromiumAvailability {
  if (existsSync(CHROMIUM_PATH)) return { ok: true };
  return { ok: false, reason: `Chromium not found at ${CHROMIUM_PATH}. Install it with: apt-get update && apt-get install -y chromium` };
}

/**
 * launch() always starts from a fresh temporary profile (Playwright passes its own new
 * --user-data-dir and deletes it on close); each workstation then gets its own context, so
 * cookies of hosts that differ only by port do not leak between them.
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: ARGS, headless: true });
}
