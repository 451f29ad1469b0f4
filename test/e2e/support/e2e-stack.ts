import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect } from 'vitest';
import type { Clock } from '../../../electron/people/clock.ts';
import { startTcpRelay, type TcpRelay } from '../../../electron/test-support/tcp-relay.ts';
import type { DemoOrg } from '../../../sync-server/server.ts';
import { closeClientSockets } from '../../../sync-server/testing/harness.ts';
import { seriousA11yViolations } from './a11y.ts';
import { buildRenderer } from './build-renderer.ts';
import { launchChromium } from './chromium.ts';
import { makeRoot, removeRoot, startServer, startWorkstation, type WorkstationUnderTest } from './stack.ts';
import { startStoppableServer, type StoppableServer } from './stoppable-server.ts';
import { pagesOf, SHOTS_DIR } from './suite.ts';
import { signIn } from './ui.ts';

type DemoServer = Awaited<ReturnType<typeof startServer>>;
/** 'demo': the plain demo server; 'stoppable': one a test can stop and start again (an outage). */
type ServerKinds = { demo: DemoServer; stoppable: StoppableServer };

/** A workstation by name; `relay` puts a TCP relay between it and the server (so a test can pull the cable). */
export type StationSpec = string | { name: string; relay?: boolean; clock?: Clock; managedOrg?: string };

export interface E2eStackOptions<K extends keyof ServerKinds> {
  server: K;
  stations: StationSpec[];
  /** Default for stations given as a plain name: behind a relay or straight to the server. */
  relays?: boolean;
  /** Runs once the server is up and before any workstation starts (policies, staff, opening hours). */
  prepare?: (server: ServerKinds[K]) => Promise<void>;
}

export interface E2eStack<S> {
  readonly server: S;
  readonly browser: Browser;
  /** The workstations, in the order asked for. */
  readonly stations: WorkstationUnderTest[];
  /** One page per browser context, closed at the end; `pages.pageErrors` collects page errors. */
  readonly pages: ReturnType<typeof pagesOf>;
  station(name: string): WorkstationUnderTest;
  /** The relay in front of the named station (it must have been started with one). */
  relay(name: string): TcpRelay;
  /** A seeded demo org of the server, by code. */
  org(code: string): DemoOrg;
  /** Opens a page on the station and signs in (the caller waits for whichever screen it expects). */
  openSignedIn(station: WorkstationUnderTest, credentials: Credentials): Promise<Page>;
}

type Credentials = Parameters<typeof signIn>[1];

/**
 * The real stack every e2e suite runs against, set up in `beforeAll` and torn down in
 * `afterAll` (both registered here, so call it inside the suite's `describe`): a temp root,
 * the built renderer, the sync server, the workstations (some behind TCP relays) and
 * Chromium. Getters throw if used before `beforeAll` ran, so a half-started stack says so.
 */
export function e2eStack<K extends keyof ServerKinds>(options: E2eStackOptions<K>): E2eStack<ServerKinds[K]> {
  let root = '';
  let browser: Browser | undefined;
  let server: ServerKinds[K] | undefined;
  const stations: WorkstationUnderTest[] = [];
  const relays = new Map<string, TcpRelay>();
  const pages = pagesOf(() => browser);

  beforeAll(async () => {
    root = await makeRoot();
    await mkdir(SHOTS_DIR, { recursive: true });
    const starting = (options.server === 'stoppable' ? startStoppableServer(root) : startServer()) as Promise<ServerKinds[K]>;
    const [rendererDir, started] = await Promise.all([buildRenderer(root), starting]);
    server = started;
    await options.prepare?.(started);
    for (const spec of options.stations) {
      const { name, relay: viaRelay = options.relays ?? false, clock, managedOrg } = typeof spec === 'string' ? { name: spec } : spec;
      let serverUrl = started.url;
      if (viaRelay) {
        const relay = await startTcpRelay(started.url);
        relays.set(name, relay);
        serverUrl = relay.url;
      }
      stations.push(await startWorkstation(name, { serverUrl, rendererDir, root, ...(clock ? { clock } : {}), ...(managedOrg ? { managedOrg } : {}) }));
    }
    browser = await launchChromium();
  }, 240_000);

  afterAll(async () => {
    await pages.closeAll();
    await browser?.close().catch(() => undefined);
    for (const station of stations) await station.close().catch(() => undefined);
    for (const relay of relays.values()) await relay.close().catch(() => undefined);
    // Sockets of test clients (signedIn) would keep the server from closing promptly.
    await closeClientSockets();
    await server?.close().catch(() => undefined);
    if (root) await removeRoot(root);
  }, 60_000);

  const started = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`e2e stack: ${what} not started`);
    return value;
  };

  return {
    get server() {
      return started(server, 'server');
    },
    get browser() {
      return started(browser, 'browser');
    },
    stations,
    pages,
    station(name) {
      return started(
        stations.find((station) => station.name === name),
        `workstation ${name}`,
      );
    },
    relay(name) {
      return started(relays.get(name), `relay of ${name}`);
    },
    org(code) {
      const org = started(server, 'server').orgs.get(code);
      if (!org) throw new Error(`demo org ${code} is expected`);
      return org;
    },
    async openSignedIn(station, credentials) {
      const page = await pages.open(station);
      await signIn(page, credentials);
      return page;
    },
  };
}

/** The check every screen gets: zero serious/critical axe violations, then a full-page screenshot `<suite>-<screen>.png`. */
export async function axeAndShot(page: Page, suite: string, screen: string): Promise<void> {
  expect(await seriousA11yViolations(page), `${screen}: serious/critical axe violations`).toEqual([]);
  await screenshot(page, suite, screen);
}

/** A full-page screenshot saved as SHOTS_DIR/<suite>-<screen>.png. */
export async function screenshot(page: Page, suite: string, screen: string, fullPage = true): Promise<void> {
  await page.screenshot({ path: join(SHOTS_DIR, `${suite}-${screen}.png`), fullPage });
}
