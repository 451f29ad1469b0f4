import type { Page } from 'playwright-core';
import type { TcpRelay } from '../../electron/test-support/tcp-relay.ts';
import type { SignInTiming } from './desk-speed-probe.ts';

/**
 * Sign-in to today's schedule, on a desk that already knows this person (signed in and
 * synced before): sign out, fill the sign-in form (untimed), then the probe times the
 * click on "Sign in" to the schedule section loaded and visible. Online goes to the server
 * (through the relay); offline has the relay down, so the desk unlocks against its own
 * verifier. The hash is set to the schedule first, where a front desk lands anyway.
 */
export interface SignInCredentials {
  org: string;
  username: string;
  password: string;
}

const SCHEDULE_TIMEOUT_MS = 30_000;

export async function signOut(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByLabel('Organization code').waitFor({ timeout: 30_000 });
}

async function timedSignIn(page: Page, credentials: SignInCredentials): Promise<SignInTiming> {
  await page.evaluate(() => {
    window.location.hash = '#/schedule';
  });
  await page.getByLabel('Organization code').fill(credentials.org);
  await page.getByLabel('Username').fill(credentials.username);
  await page.getByLabel('Password').fill(credentials.password);
  await page.evaluate(() => window.__deskProbe!.armSignIn());
  await page.getByRole('button', { name: 'Sign in' }).click();
  return page.evaluate((timeout) => window.__deskProbe!.signInDone(timeout), SCHEDULE_TIMEOUT_MS);
}

/** `times` sign-ins (signed out before each, left signed in after the last). */
export async function signInTimes(page: Page, credentials: SignInCredentials, times: number, relay: TcpRelay, offline: boolean, expectedColumns: number): Promise<SignInTiming[]> {
  const results: SignInTiming[] = [];
  try {
    if (offline) relay.down();
    for (let i = 0; i < times; i++) {
      if (await page.getByRole('button', { name: 'Sign out' }).count()) await signOut(page);
      results.push(await timedSignIn(page, credentials));
      // Loaded is not enough: the day must show the clinic's practitioners (an error also ends "busy").
      const columns = await page.getByRole('heading', { level: 3, name: /^Dr / }).count();
      if (columns !== expectedColumns) throw new Error(`desk speed bench: today's schedule showed ${columns} practitioner columns, expected ${expectedColumns}`);
      if (offline && !(await page.getByText('Signed in offline').count())) throw new Error('desk speed bench: the sign-in with the server down was not an offline sign-in');
    }
  } finally {
    if (offline) relay.up();
  }
  return results;
}
