import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { NodeHttpExecutor } from 'builder-util';
import { NsisUpdater } from 'electron-updater';
import type { AppAdapter } from 'electron-updater/out/AppAdapter.js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../test-support/temp-dir.ts';
import { chooseUpdateChannel } from './channel.ts';
import { parseStagingPercentage } from './staged-rollout.ts';
import { EMPTY_STATE, type UpdateHealthState } from './update-health.ts';
import { applyUpdatePlan, chooseFeed, NO_FEED_URL, planUpdates, type UpdatePlanInput } from './updater-settings.ts';

const stable = chooseUpdateChannel({});
const base: UpdatePlanInput = { platform: 'win32', channel: stable, builtIn: { url: 'https://updates.example.org/clinicsync', publisherName: ['Clinicsync Ltd'] }, health: EMPTY_STATE };

describe('update channel precedence', () => {
  it('machine policy, then org configuration, then stable; "stable" reads the feed\'s latest files', () => {
    expect(chooseUpdateChannel({ policyChannel: 'Pilot ', orgChannel: 'stable' })).toEqual({ name: 'pilot', source: 'machine_policy', feedChannel: 'pilot' });
    expect(chooseUpdateChannel({ orgChannel: 'pilot' })).toEqual({ name: 'pilot', source: 'org_configuration', feedChannel: 'pilot' });
    expect(chooseUpdateChannel({ policyChannel: 'stable', orgChannel: 'pilot' })).toEqual({ name: 'stable', source: 'machine_policy', feedChannel: 'latest' });
    expect(chooseUpdateChannel({})).toEqual({ name: 'stable', source: 'default', feedChannel: 'latest' });
  });

  it('refuses a malformed channel with an error naming where it came from, instead of falling through', () => {
    expect(() => chooseUpdateChannel({ policyChannel: '../latest', orgChannel: 'pilot' })).toThrow(/machine policy's update channel must be/);
    expect(() => chooseUpdateChannel({ orgChannel: '' })).toThrow(/organization's update channel must be/);
    expect(() => chooseUpdateChannel({ policyChannel: 'x'.repeat(33) })).toThrow(/1 to 32/);
  });
});

describe('update plan', () => {
  it('turns updates off, with the reason, without a feed, over plain http, or on an unsigned Windows build', () => {
    expect(planUpdates({ ...base, builtIn: null })).toMatchObject({ enabled: false, reason: expect.stringContaining('No update feed') });
    expect(planUpdates({ ...base, envFeedUrl: 'not a url' })).toMatchObject({ enabled: false, reason: expect.stringContaining('not a valid URL') });
    expect(planUpdates({ ...base, envFeedUrl: 'http://updates.example.org/' })).toMatchObject({ enabled: false, reason: expect.stringContaining('https://') });
    expect(planUpdates({ ...base, builtIn: { url: 'https://u.example.org/', publisherName: null } })).toMatchObject({ enabled: false, reason: expect.stringContaining('unsigned') });
    expect(planUpdates({ ...base, builtIn: { url: 'https://u.example.org/', publisherName: ['  '] } })).toMatchObject({ enabled: false });
    // macOS and Linux builds carry no publisher name: Squirrel.Mac checks the code signature itself; Linux relies on sha512 + HTTPS.
    expect(planUpdates({ ...base, platform: 'linux', builtIn: { url: 'https://u.example.org/' } })).toMatchObject({ enabled: true, autoInstallOnAppQuit: true });
    expect(planUpdates({ ...base, platform: 'darwin', builtIn: { url: 'https://u.example.org/' } })).toMatchObject({ enabled: true, autoInstallOnAppQuit: false });
  });

  it('takes the feed from the machine policy, then CLINICSYNC_UPDATE_URL, then the build, and allows a downgrade only in recovery', () => {
    const policyFeedUrl = 'https://mirror.northside.example/clinicsync/';
    const envFeedUrl = 'https://env.example.org/feed/';
    expect(planUpdates({ ...base, policyFeedUrl, envFeedUrl })).toMatchObject({ enabled: true, feedUrl: policyFeedUrl, feedSource: 'machine_policy', allowDowngrade: false });
    expect(planUpdates({ ...base, envFeedUrl })).toMatchObject({ enabled: true, feedUrl: envFeedUrl, feedSource: 'environment' });
    expect(planUpdates({ ...base, envFeedUrl: '  ' })).toMatchObject({ enabled: true, feedUrl: 'https://updates.example.org/clinicsync', feedSource: 'build' });
    expect(planUpdates(base)).toMatchObject({ enabled: true, feedSource: 'build' });
    const recovering: UpdateHealthState = { ...EMPTY_STATE, recovery: { badVersion: '1.3.0', since: new Date().toISOString() } };
    expect(planUpdates({ ...base, health: recovering })).toMatchObject({ enabled: true, allowDowngrade: true });
  });

  it('"autoUpdate": false in the machine policy turns updates off, whatever feed is set', () => {
    const off = planUpdates({ ...base, autoUpdate: false, policyFeedUrl: 'https://mirror.example/', envFeedUrl: 'https://env.example/' });
    expect(off).toEqual({ enabled: false, reason: expect.stringContaining('machine policy turns the in-app updater off') });
    expect(planUpdates({ ...base, autoUpdate: true })).toMatchObject({ enabled: true });
  });

  it('a build made without CLINICSYNC_UPDATE_URL (the NO_FEED_URL placeholder) has no feed of its own; a policy updateUrl still works', () => {
    const noFeedBuild = { url: NO_FEED_URL, publisherName: ['Clinicsync Ltd'] };
    expect(chooseFeed({ builtIn: noFeedBuild })).toBeNull();
    expect(chooseFeed({ builtIn: { url: 'https://updates.clinic.invalid/x/' } })).toBeNull();
    expect(planUpdates({ ...base, builtIn: noFeedBuild })).toEqual({ enabled: false, reason: expect.stringContaining('No update feed is configured') });
    // The build's publisher name still guards what the policy's mirror serves (Windows).
    expect(planUpdates({ ...base, builtIn: noFeedBuild, policyFeedUrl: 'https://mirror.example/feed/' })).toMatchObject({ enabled: true, feedSource: 'machine_policy' });
    expect(planUpdates({ ...base, builtIn: { url: NO_FEED_URL }, policyFeedUrl: 'https://mirror.example/feed/' })).toMatchObject({ enabled: false, reason: expect.stringContaining('unsigned') });
  });

  it('reads stagingPercentage as whole percents only', () => {
    expect(parseStagingPercentage(undefined)).toEqual({ kind: 'everyone' });
    expect(parseStagingPercentage(25)).toEqual({ kind: 'percent', percent: 25 });
    expect(parseStagingPercentage('0')).toEqual({ kind: 'percent', percent: 0 });
    for (const bad of ['ten', '10%', 12.5, -1, 101, '', true]) expect(parseStagingPercentage(bad)).toEqual({ kind: 'invalid' });
  });
});

/**
 * The plan applied to electron-updater's real NsisUpdater (plain Node: a test app adapter and
 * Node's HTTP client instead of Electron's), asking a real HTTP feed. Proves what the docs
 * claim about channels, downgrades, staged rollout and blocked versions.
 */
describe('electron-updater with the plan applied (real NsisUpdater, real HTTP feed)', () => {
  const dir = tempDir('clinicsync-updates-');
  const files = new Map<string, string>();
  const requested: string[] = [];
  let server: Server;
  let feedUrl = '';
  // electron-updater puts this id at 0.5 of the rollout range (bytes 12..15 = 0x80000000).
  const STAGING_ID = 'a1b2c3d4-0000-5000-8000-000080000000';

  beforeAll(async () => {
    server = createServer((request, response) => {
      const name = (request.url ?? '').split('?')[0]?.slice(1) ?? '';
      requested.push(name);
      const body = files.get(name);
      response.writeHead(body === undefined ? 404 : 200, { 'content-type': 'text/yaml' }).end(body ?? 'not found');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    feedUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    writeFileSync(join(dir.path, '.updaterId'), STAGING_ID);
  });
  afterEach(() => {
    files.clear();
    requested.length = 0;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    dir.remove();
  });

  const channelFile = (version: string, extra = '') =>
    `version: ${version}\nfiles:\n  - url: Clinicsync-${version}-win-x64.exe\n    sha512: ${'A'.repeat(86)}==\n    size: 1000\npath: Clinicsync-${version}-win-x64.exe\nsha512: ${'A'.repeat(86)}==\nreleaseDate: '2026-05-01T00:00:00.000Z'\n${extra}`;

  async function check(running: string, input: Partial<UpdatePlanInput> = {}, health: UpdateHealthState = EMPTY_STATE) {
    const app: AppAdapter = {
      version: running,
      name: 'Clinicsync',
      isPackaged: true,
      appUpdateConfigPath: join(dir.path, 'app-update.yml'),
      userDataPath: dir.path,
      baseCachePath: dir.path,
      whenReady: () => Promise.resolve(),
      relaunch: () => undefined,
      quit: () => undefined,
      onQuit: () => undefined,
    };
    const updater = new NsisUpdater(null, app);
    updater.logger = null;
    const internals = updater as unknown as { httpExecutor: NodeHttpExecutor; _testOnlyOptions: { platform: string } };
    internals.httpExecutor = new NodeHttpExecutor();
    internals._testOnlyOptions = { platform: 'win32' };
    const plan = planUpdates({ ...base, envFeedUrl: feedUrl, health, ...input });
    if (!plan.enabled) throw new Error(plan.reason);
    const invalid: string[] = [];
    applyUpdatePlan(updater, plan, () => health, (version) => invalid.push(version));
    updater.autoDownload = false; // the check is what is under test; nothing to download here
    const result = await updater.checkForUpdates();
    return { available: result?.isUpdateAvailable ?? false, allowDowngrade: updater.allowDowngrade, invalid };
  }

  it('reads the channel file of the chosen channel: stable → latest.yml, pilot → pilot.yml', async () => {
    files.set('latest.yml', channelFile('1.3.0'));
    files.set('pilot.yml', channelFile('1.4.0'));
    expect(await check('1.3.0')).toMatchObject({ available: false });
    expect(requested).toEqual(['latest.yml']);
    expect(await check('1.3.0', { channel: chooseUpdateChannel({ policyChannel: 'pilot' }) })).toMatchObject({ available: true });
    expect(requested).toEqual(['latest.yml', 'pilot.yml']);
  });

  it('keeps downgrades off after setting the channel (electron-updater would turn them on), except in recovery', async () => {
    files.set('latest.yml', channelFile('1.2.0'));
    expect(await check('1.3.0')).toEqual({ available: false, allowDowngrade: false, invalid: [] });
    const recovering: UpdateHealthState = { ...EMPTY_STATE, recovery: { badVersion: '1.3.0', since: new Date().toISOString() } };
    expect(await check('1.3.0', {}, recovering)).toEqual({ available: true, allowDowngrade: true, invalid: [] });
  });

  it('offers a staged release only inside its percentage, and to nobody when the percentage is malformed', async () => {
    const offered = async (staging: string) => {
      files.set('latest.yml', channelFile('1.4.0', staging));
      return (await check('1.3.0')).available;
    };
    expect(await offered('')).toBe(true);
    expect(await offered('stagingPercentage: 40\n')).toBe(false); // this desk sits at 50%
    expect(await offered('stagingPercentage: 60\n')).toBe(true);
    expect(await offered('stagingPercentage: 0\n')).toBe(false); // halted
    expect(await offered('stagingPercentage: 100\n')).toBe(true);
    files.set('latest.yml', channelFile('1.4.0', 'stagingPercentage: ten\n'));
    expect(await check('1.3.0')).toEqual({ available: false, allowDowngrade: false, invalid: ['1.4.0'] });
  });

  it('never offers a version this workstation blocked (failed to start or to install)', async () => {
    files.set('latest.yml', channelFile('1.4.0'));
    const blocked: UpdateHealthState = { ...EMPTY_STATE, blocked: [{ version: '1.4.0', reason: 'failed_to_start', at: new Date().toISOString() }] };
    expect((await check('1.3.0', {}, blocked)).available).toBe(false);
    files.set('latest.yml', channelFile('1.4.1'));
    expect((await check('1.3.0', {}, blocked)).available).toBe(true);
  });
});
