// DESIGN §5 made mechanical: reads every import of every TypeScript file (static, dynamic,
// `export … from`, `import type`, `import('…')` types, `require`) with the TypeScript parser
// and fails with file:line for each import that crosses a boundary the layout forbids.
// It also rejects comment directives that switch the type checker off.
import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, posix, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
const SKIPPED_DIRS = new Set(['node_modules', 'dist', 'test-results', 'coverage']);
const SOURCE_FILE = /\.(?:c|m)?tsx?$/;

type Area = 'shared' | 'sync-server' | 'electron' | 'renderer' | 'test' | 'scripts' | 'root' | 'build';
const AREAS: readonly string[] = ['shared', 'sync-server', 'electron', 'renderer', 'test', 'scripts', 'build'];

// Packages tied to one runtime (browser UI, Node servers, native modules, Electron): none
// of them may appear in shared/, which runs everywhere.
const RUNTIME_SPECIFIC_PACKAGES = new Set([
  'electron',
  'react',
  'react-dom',
  '@tanstack/react-query',
  '@trpc/react-query',
  '@trpc/tanstack-react-query',
  'playwright-core',
  'axe-core',
  '@axe-core/playwright',
  'pg',
  'ws',
  'undici',
  'better-sqlite3-multiple-ciphers',
  'better-sqlite3',
  '@electric-sql/pglite',
  '@nats-io/transport-node',
  'vite',
]);
const NODE_BUILTINS = new Set(builtinModules.map((name) => name.replace(/^node:/, '')));

export interface ImportRef {
  specifier: string;
  line: number;
  /** Erased before run time: `import type`, `export type … from`, `import('…').T` in a type. */
  typeOnly: boolean;
}

export interface Violation {
  file: string;
  line: number;
  message: string;
}

function lineOf(source: ts.SourceFile, position: number): number {
  return source.getLineAndCharacterOfPosition(position).line + 1;
}

function parse(file: string, text: string): ts.SourceFile {
  const kind = file.endsWith('x') ? ts.ScriptKind.TSX : ts.ScriptKind.TS;
  return ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, kind);
}

/** Every module reference in a source text. */
export function collectImports(file: string, text: string): ImportRef[] {
  const source = parse(file, text);
  const found: ImportRef[] = [];
  const add = (literal: ts.Node, typeOnly: boolean) => {
    if (ts.isStringLiteralLike(literal)) {
      found.push({ specifier: literal.text, line: lineOf(source, literal.getStart(source)), typeOnly });
    }
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node)) {
      // `import { type A }` is NOT type-only: under verbatimModuleSyntax it still loads the module.
      add(node.moduleSpecifier, node.importClause?.isTypeOnly ?? false);
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier) {
      add(node.moduleSpecifier, node.isTypeOnly);
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
      add(node.moduleReference.expression, node.isTypeOnly);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) {
      add(node.argument.literal, true);
    } else if (ts.isCallExpression(node) && node.arguments[0]) {
      const isDynamicImport = node.expression.kind === ts.SyntaxKind.ImportKeyword;
      const isRequire = ts.isIdentifier(node.expression) && node.expression.text === 'require';
      if (isDynamicImport || isRequire) add(node.arguments[0], false);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** Lines of comments that switch type checking off (`ts-ignore`, `ts-nocheck` directives). */
export function collectSuppressions(file: string, text: string): { line: number; directive: string }[] {
  if (!/@ts-(ignore|nocheck)/.test(text)) return []; // the common case, without a parse
  const source = parse(file, text);
  const seen = new Set<number>();
  const found: { line: number; directive: string }[] = [];
  const inspect = (ranges: ts.CommentRange[] | undefined) => {
    for (const range of ranges ?? []) {
      if (seen.has(range.pos)) continue;
      seen.add(range.pos);
      const match = /@ts-(ignore|nocheck)\b/.exec(text.slice(range.pos, range.end));
      if (match) found.push({ line: lineOf(source, range.pos + match.index), directive: match[0] });
    }
  };
  // Every comment is leading or trailing trivia of some token; getChildren() reaches tokens too.
  const visit = (node: ts.Node): void => {
    inspect(ts.getLeadingCommentRanges(text, node.getFullStart()));
    inspect(ts.getTrailingCommentRanges(text, node.getEnd()));
    for (const child of node.getChildren(source)) visit(child);
  };
  visit(source);
  return found.sort((a, b) => a.line - b.line);
}

function areaOf(repoPath: string): Area | undefined {
  const first = repoPath.split('/')[0] ?? '';
  if (!repoPath.includes('/')) return 'root';
  return AREAS.includes(first) ? (first as Area) : undefined;
}

function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? specifier);
}

/**
 * Test code beside the sources: `*.test.ts(x)` files and test helpers in a `testing/` or
 * `test-support/` folder or a `test-fixtures.ts` file. It may also use test/ helpers, and
 * production code may not import it.
 */
const isTestCode = (repoPath: string) => /\.test\.tsx?$|(^|\/)(testing|test-support)\/|(^|\/)test-fixtures\.tsx?$/.test(repoPath);
const isToolConfig = (repoPath: string) => /(^|\/)[^/]+\.config\.(?:c|m)?ts$/.test(repoPath);

/** The boundary rule an import breaks, or undefined when it is allowed. */
function judge(file: string, ref: ImportRef): string | undefined {
  const area = areaOf(file);
  if (area === undefined || area === 'test' || area === 'scripts' || area === 'root' || area === 'build') return undefined;
  const testFile = isTestCode(file);

  if (ref.specifier.startsWith('.') || ref.specifier.startsWith('/')) {
    const target = posix.normalize(posix.join(posix.dirname(file), ref.specifier));
    if (target.startsWith('../')) return `reaches outside the repository (${target})`;
    const targetArea = areaOf(target);
    if (!testFile && (targetArea === 'test' || isTestCode(target))) {
      return `production code may not import test code (${target})`;
    }
    if (targetArea === area || targetArea === 'shared') return undefined;
    // Test code beside the sources may use the shared test helpers (test/support/…).
    if (testFile && targetArea === 'test') return undefined;
    if (area === 'renderer' && targetArea === 'electron') {
      return ref.typeOnly
        ? undefined
        : `renderer/ may import only TYPES from electron/ (${target}); write \`import type { … }\` — \`import { type X }\` still loads the module`;
    }
    const allowed = area === 'renderer' ? 'shared/ and types from electron/' : area === 'shared' ? 'shared/ itself' : 'shared/';
    return `${area}/ may import only ${allowed}, not ${target}`;
  }

  const specifierPackage = packageName(ref.specifier);
  const isBuiltin = ref.specifier.startsWith('node:') || NODE_BUILTINS.has(specifierPackage);
  if (specifierPackage === 'electron' && !file.startsWith('electron/main/')) {
    return `the electron package may be imported only under electron/main/ (thin Electron-only files)`;
  }
  if (area === 'shared') {
    if (isBuiltin && !testFile) return `shared/ is isomorphic: no Node built-ins ('${ref.specifier}')`;
    if (RUNTIME_SPECIFIC_PACKAGES.has(specifierPackage)) {
      return `shared/ is isomorphic: no runtime-specific package ('${specifierPackage}')`;
    }
  }
  if (area === 'renderer' && isBuiltin && !testFile && !isToolConfig(file)) {
    return `renderer/ runs sandboxed in Chromium: no Node built-ins ('${ref.specifier}')`;
  }
  return undefined;
}

/** All violations in one source text; `file` is its repository-relative path with `/`. */
export function checkSource(file: string, text: string): Violation[] {
  const violations: Violation[] = [];
  if (areaOf(file) === undefined) {
    const dir = file.split('/')[0] ?? file;
    violations.push({ file, line: 1, message: `${dir}/ is not a layout area (DESIGN §5): move the file, or add the area to the layout and to this test` });
  }
  for (const ref of collectImports(file, text)) {
    const broken = judge(file, ref);
    if (broken) violations.push({ file, line: ref.line, message: `'${ref.specifier}': ${broken}` });
  }
  for (const suppression of collectSuppressions(file, text)) {
    violations.push({
      file,
      line: suppression.line,
      message: `${suppression.directive} switches the type checker off; fix the type (or use a narrow, explained cast)`,
    });
  }
  return violations.sort((a, b) => a.line - b.line);
}

function listSourceFiles(dir: string): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) {
      // Dot-directories (scratch space, tool caches) are outside tsc's and Vitest's globs too.
      if (!SKIPPED_DIRS.has(entry.name) && !entry.name.startsWith('.')) files.push(...listSourceFiles(join(dir, entry.name)));
    } else if (entry.isFile() && SOURCE_FILE.test(entry.name)) {
      files.push(join(dir, entry.name));
    }
  }
  return files;
}

const format = (violations: Violation[]) => violations.map((v) => `${v.file}:${v.line}  ${v.message}`).join('\n');

describe('layout boundaries (DESIGN §5)', () => {
  it('every import in the repository respects the layout, and nothing switches the type checker off', () => {
    const files = listSourceFiles(ROOT).map((path) => relative(ROOT, path).split(sep).join('/'));
    expect(files.length).toBeGreaterThan(0);
    const violations = files.flatMap((file) => checkSource(file, readFileSync(join(ROOT, file), 'utf8')));
    expect(format(violations), `${violations.length} boundary violation(s):\n${format(violations)}`).toBe('');
  });
});

describe('boundary checker self-test (synthetic sources)', () => {
  it('finds every kind of import with its line and whether it is erased', () => {
    const refs = collectImports(
      'electron/x.ts',
      [
        "import a from './a.ts';",
        "import type { B } from './b.ts';",
        "import { type C } from './c.ts';",
        "export { d } from './d.ts';",
        "export type { E } from './e.ts';",
        "const f = await import('./f.ts');",
        "type G = import('./g.ts').G;",
        "const h = require('./h.cjs');",
        "import './side-effect.ts';",
      ].join('\n'),
    );
    expect(refs).toEqual([
      { specifier: './a.ts', line: 1, typeOnly: false },
      { specifier: './b.ts', line: 2, typeOnly: true },
      { specifier: './c.ts', line: 3, typeOnly: false },
      { specifier: './d.ts', line: 4, typeOnly: false },
      { specifier: './e.ts', line: 5, typeOnly: true },
      { specifier: './f.ts', line: 6, typeOnly: false },
      { specifier: './g.ts', line: 7, typeOnly: true },
      { specifier: './h.cjs', line: 8, typeOnly: false },
      { specifier: './side-effect.ts', line: 9, typeOnly: false },
    ]);
  });

  it('catches planted violations with precise lines', () => {
    const planted = [
      "import { z } from 'zod';", // 1 ok
      "import { readFileSync } from 'node:fs';", // 2 shared: node built-in
      "import path from 'path';", // 3 shared: node built-in without prefix
      "import { useState } from 'react';", // 4 shared: DOM package
      "import { app } from 'electron';", // 5 electron package outside electron/main
      "export { startSyncServer } from '../sync-server/server.ts';", // 6 other area
      "const store = await import('../electron/store/store.ts');", // 7 other area, dynamic
      "import { hlcSchema } from './hlc.ts';", // 8 ok
      `// @ts-${'ignore'}`, // 9 suppression
    ].join('\n');
    const lines = checkSource('shared/planted.ts', planted).map((v) => v.line);
    expect(lines).toEqual([2, 3, 4, 5, 6, 7, 9]);
  });

  it('lets the renderer import only types from electron/ and nothing from sync-server/', () => {
    const planted = [
      "import type { LocalRouter } from '../../electron/local-api/router.ts';", // ok
      "import { type LocalRouter } from '../../electron/local-api/router.ts';", // loads the module
      "import { createLocalApi } from '../../electron/local-api/router.ts';",
      "import type { AppRouter } from '../../sync-server/router.ts';", // types from server: no
      "import { z } from 'zod';",
      "import { ids } from '../../shared/ids.ts';",
    ].join('\n');
    const violations = checkSource('renderer/src/app.tsx', planted);
    expect(violations.map((v) => v.line)).toEqual([2, 3, 4]);
    expect(violations[0]?.message).toContain('only TYPES from electron/');
    expect(format(violations)).toMatch(/^renderer\/src\/app\.tsx:2 {2}/);
  });

  it('keeps sync-server/ and electron/ apart, and the electron package inside electron/main/', () => {
    expect(checkSource('sync-server/a.ts', "import { openStore } from '../electron/store/store.ts';")).toHaveLength(1);
    expect(checkSource('electron/a.ts', "export * from '../sync-server/domains/clinical.ts';")).toHaveLength(1);
    expect(checkSource('electron/store/a.ts', "import { safeStorage } from 'electron';")).toHaveLength(1);
    expect(checkSource('electron/main/keys.ts', "import { safeStorage } from 'electron';")).toEqual([]);
    expect(checkSource('electron/a.ts', "import { x } from '../shared/ids.ts';\nimport pg from 'pg';")).toEqual([]);
    // Test code beside the sources may use the shared test helpers; production code may not.
    expect(checkSource('sync-server/db/a.int.test.ts', "import { pg } from '../../test/support/postgres.ts';")).toEqual([]);
    expect(checkSource('sync-server/testing/engines.ts', "import { pg } from '../../test/support/postgres.ts';")).toEqual([]);
    expect(checkSource('sync-server/server.ts', "import { engines } from './testing/engines.ts';")).toHaveLength(1);
    expect(checkSource('sync-server/server.ts', "import { pg } from '../test/support/postgres.ts';")).toHaveLength(1);
    // test/ and scripts/ import anything.

    expect(checkSource('test/e2e/a.test.ts', "import { startSyncServer } from '../../sync-server/server.ts';")).toEqual([]);
    expect(checkSource('scripts/start.ts', "import { createWorkstation } from '../electron/workstation.ts';")).toEqual([]);
    expect(checkSource('tools/a.ts', 'export const a = 1;')).toHaveLength(1);
  });

  it('finds checker suppressions only in comments, wherever they sit', () => {
    const ignore = `@ts-${'ignore'}`;
    const nocheck = `@ts-${'nocheck'}`;
    const text = [`// ${nocheck}`, 'const a = 1;', `f(/* ${ignore} */ a);`, `const s = '${ignore}';`, `{ /** ${ignore} */ }`].join('\n');
    expect(collectSuppressions('x.ts', text).map((s) => [s.line, s.directive])).toEqual([
      [1, nocheck],
      [3, ignore],
      [5, ignore],
    ]);
  });
});
