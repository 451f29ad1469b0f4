import { mkdtemp } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startTcpRelay, type TcpRelay } from '../../electron/test-support/tcp-relay.ts';
import { buildRenderer } from '../e2e/support/build-renderer.ts';
import { launchChromium } from '../e2e/support/chromium.ts';
import { makeRoot, removeRoot } from '../e2e/support/stack.ts';
import { signIn } from '../e2e/support/ui.ts';
import type { DeskClinicSize, LoadedDeskClinic, SamplePatient } from './desk-speed-clinic.ts';
import { installDeskProbe } from './desk-speed-probe.ts';
import { startDeskServer } from './desk-speed-server-handle.ts';
import { startDeskHost, type DeskHostHandle } from './desk-host-handle.ts';

/**
 * Everything the desk speed bench measures against, as the e2e tests run it: the real
 * sync server (PGlite) loaded with the clinic, in its own process as a cloud server would
 * be (desk-speed-server.ts), a TCP relay in front of it (so the desk can
 * be taken offline), one workstation in browser mode in its own process as the Electron
 * main process would be (desk-host-process.ts: file keystore, SQLCipher store, the
 * loopback host serving the production renderer build) and real Chromium with the probe
 * installed in every page load. The desk is signed in once and fully synced, then restarted
 * on its store and signed in again, before any measurement (the "session already known to
 * the workstation" of the issue).
 */
export interface DeskSpeedStack {
  relay: TcpRelay;
  station: DeskHostHandle;
  page: Page;
  credentials: { org: string; username: string; password: string };
  loaded: LoadedDeskClinic;
  samples: SamplePatient[];
  /** Rows in the desk's encrypted store after the initial sync. */
  deskCounts: { patients: number; appointments: number };
  /** Click on "Sign in" of the first sign-in to the initial sync done (syncNow). */
  initialSyncSeconds: number;
  close(): Promise<void>;
}

const ORG = 'deskspeed';
const USERNAME = 'frontdesk';
const SEED = 'clinicsync-desk-speed-1';

export async function startDeskSpeedStack(size: DeskClinicSize, sampleCount: number, log: (line: string) => void): Promise<DeskSpeedStack> {
  const cleanups: (() => Promise<void>)[] = [];
  const close = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  };
  try {
    const root = await makeRoot();
    cleanups.push(() => removeRoot(root));
    // Built in parallel with the clinic load (its failure is raised where it is awaited).
    // CLINICSYNC_BENCH_RENDERER_DIR names an already built renderer instead (a run against
    // a known build while renderer/ is being edited).
    const prebuilt = process.env['CLINICSYNC_BENCH_RENDERER_DIR'];
    const built = prebuilt ? Promise.resolve(prebuilt) : buildRenderer(root);
    built.catch(() => undefined);
    const server = await startDeskServer({ size, sampleCount, org: ORG, username: USERNAME, seed: SEED });
    cleanups.push(() => server.stop());
    const { loaded, samples, password } = server;
    log(`clinic on the server: ${loaded.patients} patients, ${loaded.appointments} appointments (${loaded.todayAppointments} today) in ${server.loadSeconds.toFixed(1)} s`);

    const relay = await startTcpRelay(server.url);
    cleanups.push(() => relay.close());
    const rendererDir = await built;
    const dataDir = await mkdtemp(join(root, 'desk-'));
    const enrolling = await startDeskHost({ dataDir, serverUrl: relay.url, rendererDir });
    cleanups.push(() => enrolling.stop());
    const browser: Browser = await launchChromium();
    cleanups.push(() => browser.close());
    const context: BrowserContext = await browser.newContext({ viewport: { width: 1280, height: 860 } });
    await context.addInitScript(installDeskProbe);
    const page = await context.newPage();
    page.on('pageerror', (error) => log(`page error: ${error.message}`));
    await page.goto(enrolling.url);

    const credentials = { org: ORG, username: USERNAME, password };
    const syncStart = performance.now();
    await signIn(page, credentials);
    await page.getByRole('navigation', { name: 'Sections' }).waitFor({ timeout: 60_000 });
    const deskCounts = await enrolling.syncNow();
    const initialSyncSeconds = (performance.now() - syncStart) / 1000;
    if (deskCounts.patients !== loaded.patients || deskCounts.appointments !== loaded.appointments) {
      throw new Error(`desk speed bench: the desk holds ${deskCounts.patients} patients and ${deskCounts.appointments} appointments after the initial sync, expected ${loaded.patients} and ${loaded.appointments}`);
    }
    log(`initial sync to the desk: ${initialSyncSeconds.toFixed(1)} s`);

    // A desk's first sync happens once, when it is set up; a working day starts with the app
    // launched on the store it already holds. So the desk is measured as it is then: restarted
    // on the same data folder and signed in again. (Measured right after the first sync, its
    // searches also paid for collecting the garbage of 300k pulled rows: full GC pauses of
    // up to 50 ms in the host during the searches, desk-host-diagnostics.ts.)
    await enrolling.stop();
    const station = await startDeskHost({ dataDir, serverUrl: relay.url, rendererDir });
    cleanups.push(() => station.stop());
    await page.goto(station.url);
    await signIn(page, credentials);
    await page.getByRole('navigation', { name: 'Sections' }).waitFor({ timeout: 60_000 });
    await station.syncNow();
    return { relay, station, page, credentials, loaded, samples, deskCounts, initialSyncSeconds, close };
  } catch (error) {
    await close();
    throw error;
  }
}
