// The app's knowledge of its own build (electron/main/build-info.ts). Electron's binary cannot
// run here: `app` and the window are small fakes with the same events.
import { EventEmitter } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BUILD_INFO_KEY, markWindowTitles, readBuildInfo, titleMark, UNSIGNED_TITLE_MARK, type BuildInfo } from './build-info.ts';

const UNSIGNED: BuildInfo = { signing: 'unsigned', method: null, builtAt: '2026-12-07T01:00:00.000Z' };
const SIGNED: BuildInfo = { signing: 'signed', method: 'certificate', builtAt: '2026-12-07T01:00:00.000Z' };

describe('readBuildInfo', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'clinicsync-app-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const manifest = (value: unknown) => writeFileSync(join(dir, 'package.json'), typeof value === 'string' ? value : JSON.stringify(value));

  it('reads the build info from the app package.json', () => {
    manifest({ name: 'clinicsync', [BUILD_INFO_KEY]: UNSIGNED });
    expect(readBuildInfo(dir)).toEqual(UNSIGNED);
    manifest({ name: 'clinicsync', [BUILD_INFO_KEY]: SIGNED });
    expect(readBuildInfo(dir)).toEqual(SIGNED);
  });

  it('is null for a missing file, broken JSON, a missing field or a malformed one', () => {
    expect(readBuildInfo(dir)).toBeNull();
    manifest('{ not json');
    expect(readBuildInfo(dir)).toBeNull();
    manifest({ name: 'clinicsync' });
    expect(readBuildInfo(dir)).toBeNull();
    manifest({ [BUILD_INFO_KEY]: { ...SIGNED, signing: 'yes' } });
    expect(readBuildInfo(dir)).toBeNull();
    manifest({ [BUILD_INFO_KEY]: { ...SIGNED, builtAt: 'yesterday' } });
    expect(readBuildInfo(dir)).toBeNull();
    manifest({ [BUILD_INFO_KEY]: { ...SIGNED, extra: true } });
    expect(readBuildInfo(dir)).toBeNull();
  });
});

describe('titleMark', () => {
  it('marks an installed unsigned build, and one nothing vouches for; never a development run', () => {
    expect(titleMark(UNSIGNED, true)).toBe(' (unsigned build)');
    expect(titleMark(null, true)).toBe(UNSIGNED_TITLE_MARK);
    expect(titleMark(SIGNED, true)).toBe('');
    expect(titleMark({ ...UNSIGNED, signing: 'not-applicable' }, true)).toBe('');
    expect(titleMark(UNSIGNED, false)).toBe('');
    expect(titleMark(null, false)).toBe('');
  });
});

class FakeWindow extends EventEmitter {
  title = 'Electron';
  setTitle(title: string): void {
    this.title = title;
  }
  getTitle(): string {
    return this.title;
  }
  /** What Electron does when the page's <title> changes: the event, then the title unless prevented. */
  pageTitle(title: string): void {
    let prevented = false;
    this.emit('page-title-updated', { preventDefault: () => (prevented = true) }, title);
    if (!prevented) this.title = title;
  }
}

describe('markWindowTitles', () => {
  const created = (mark: string) => {
    const app = new EventEmitter();
    markWindowTitles(app as never, mark, 'Clinicsync');
    const window = new FakeWindow();
    app.emit('browser-window-created', {}, window);
    return window;
  };

  it('keeps the mark on every title the page sets', () => {
    const window = created(UNSIGNED_TITLE_MARK);
    expect(window.getTitle()).toBe('Clinicsync (unsigned build)');
    window.pageTitle('Clinicsync');
    expect(window.getTitle()).toBe('Clinicsync (unsigned build)');
    window.pageTitle('Clinicsync · Front desk');
    expect(window.getTitle()).toBe('Clinicsync · Front desk (unsigned build)');
  });

  it('leaves titles alone when there is nothing to mark', () => {
    const window = created('');
    window.pageTitle('Clinicsync · Front desk');
    expect(window.getTitle()).toBe('Clinicsync · Front desk');
    expect(window.listenerCount('page-title-updated')).toBe(0);
  });
});
