import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserWindow, Event } from 'electron';
import { z } from 'zod';

/**
 * What the packaged app knows about its own build. `npm run dist` (scripts/dist.ts) injects
 * it into the packed package.json through electron-builder's `extraMetadata`, in the same
 * electron-builder run that names the artifacts, so the installer's file name and the app's
 * window title cannot disagree.
 */
export const BUILD_INFO_KEY = 'clinicsyncBuild';

export const buildInfoSchema = z
  .object({
    /** 'not-applicable': Linux packages are never code-signed by the build (docs/installers.md). */
    signing: z.enum(['signed', 'unsigned', 'not-applicable']),
    /** How it was signed (certificate, azure-trusted-signing, keychain), or null. */
    method: z.string().nullable(),
    builtAt: z.iso.datetime(),
  })
  .strict();
export type BuildInfo = z.infer<typeof buildInfoSchema>;

export const UNSIGNED_TITLE_MARK = ' (unsigned build)';

/** The build info in the app's package.json, or null when it has none or an unreadable one. */
export function readBuildInfo(appPath: string): BuildInfo | null {
  let manifest: unknown;
  try {
    manifest = JSON.parse(readFileSync(join(appPath, 'package.json'), 'utf8'));
  } catch {
    return null;
  }
  const field = typeof manifest === 'object' && manifest !== null ? (manifest as Record<string, unknown>)[BUILD_INFO_KEY] : undefined;
  const parsed = buildInfoSchema.safeParse(field);
  return parsed.success ? parsed.data : null;
}

/**
 * What the window title carries. An installed app whose build info is missing or unreadable
 * was not packed by `npm run dist` (e.g. a bare `electron-builder` run), so nothing vouches
 * for its signature: it is marked too. A development run (`npm start`) is not packaged.
 */
export function titleMark(info: BuildInfo | null, isPackaged: boolean): string {
  if (!isPackaged) return '';
  return info === null || info.signing === 'unsigned' ? UNSIGNED_TITLE_MARK : '';
}

type TitledWindow = Pick<BrowserWindow, 'setTitle'> & {
  on(event: 'page-title-updated', listener: (event: Event, title: string) => void): unknown;
};

/**
 * Every window's title ends with `mark`, including after the page sets its own <title>.
 * `appName` is the title until the page has one (Electron's own default is "Electron").
 */
export function markWindowTitles(
  app: { on(event: 'browser-window-created', listener: (event: Event, window: TitledWindow) => void): unknown },
  mark: string,
  appName: string,
): void {
  if (mark === '') return;
  app.on('browser-window-created', (_event, window) => {
    window.setTitle(`${appName}${mark}`);
    window.on('page-title-updated', (event, title) => {
      event.preventDefault();
      window.setTitle(`${title}${mark}`);
    });
  });
}
