// `npm test`: typecheck, then the whole Vitest suite (the timing tests, *.alone.test.ts, last and
// on their own: vitest.config.ts), then a loud list of skipped suites and
// one closing line `tests: N passed, N failed, N skipped` (the last line printed; CI reads it).
// Extra arguments go to Vitest: `npm test -- sync-server` runs the matching files only.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const resultsDir = join(root, 'test-results');
const vitestJson = join(resultsDir, 'vitest.json');
const skipLog = join(resultsDir, 'skipped-suites.jsonl');

const TSC = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
const VITEST = join(root, 'node_modules', 'vitest', 'vitest.mjs');
const TYPECHECK_PROJECTS = ['tsconfig.json', 'shared/tsconfig.json'];

interface Failure {
  what: string;
  detail: string;
}

/** Runs `node <script> ...args` with inherited output; resolves with the exit code. */
function runNode(script: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  return new Promise((resolveExit) => {
    const child = spawn(process.execPath, [script, ...args], { cwd: root, env, stdio: 'inherit' });
    const forward = (signal: NodeJS.Signals) => child.kill(signal);
    process.on('SIGINT', forward);
    process.on('SIGTERM', forward);
    child.on('error', (error) => {
      console.error(`could not start ${relative(root, script)}: ${error.message}`);
      resolveExit(1);
    });
    child.on('exit', (code, signal) => {
      process.off('SIGINT', forward);
      process.off('SIGTERM', forward);
      resolveExit(code ?? (signal ? 128 : 1));
    });
  });
}

function banner(title: string): void {
  console.log(`\n━━━ ${title} ${'━'.repeat(Math.max(4, 72 - title.length))}`);
}

function seconds(since: number): string {
  return `${((performance.now() - since) / 1000).toFixed(1)}s`;
}

async function typecheck(failures: Failure[]): Promise<void> {
  for (const project of TYPECHECK_PROJECTS) {
    banner(`typecheck: tsc -p ${project}`);
    const started = performance.now();
    const code = await runNode(TSC, ['-p', project]);
    console.log(code === 0 ? `typecheck ${project}: ok (${seconds(started)})` : `typecheck ${project}: FAILED (${seconds(started)})`);
    if (code !== 0) failures.push({ what: `typecheck ${project}`, detail: `tsc exited with ${code}` });
  }
}

// The subset of Vitest's JSON reporter output this script reads.
interface VitestReport {
  numPassedTests: number;
  numFailedTests: number;
  numPendingTests: number;
  numTodoTests: number;
  testResults: {
    name: string;
    status: string;
    message: string;
    assertionResults: { fullName: string; status: string }[];
  }[];
}

interface Counts {
  passed: number;
  skipped: number;
  files: number;
}

/** One Vitest run; `phase` 'alone' runs the *.alone.test.ts files, one at a time (vitest.config.ts). */
async function vitest(args: string[], failures: Failure[], phase: 'main' | 'alone'): Promise<Counts> {
  banner(`vitest run ${args.join(' ')}${phase === 'alone' ? ' (timing tests, one file at a time, nothing else running)' : ''}`.trim());
  const started = performance.now();
  rmSync(vitestJson, { force: true });
  const env = { ...process.env, CLINICSYNC_SKIP_LOG: skipLog, CLINICSYNC_TEST_PHASE: phase };
  // A filter (`npm test -- fairness`) may match files of one phase only; main() checks that something ran.
  const code = await runNode(
    VITEST,
    ['run', '--passWithNoTests', '--reporter=default', '--reporter=json', `--outputFile.json=${relative(root, vitestJson)}`, ...args],
    env,
  );
  console.log(`vitest exited with ${code} (${seconds(started)})`);

  if (!existsSync(vitestJson)) {
    failures.push({ what: 'vitest', detail: `no JSON report was written (exit ${code})` });
    return { passed: 0, skipped: 0, files: 0 };
  }
  const report = JSON.parse(readFileSync(vitestJson, 'utf8')) as VitestReport;
  const before = failures.length;
  for (const file of report.testResults) {
    const name = relative(root, file.name);
    const failedTests = file.assertionResults.filter((test) => test.status === 'failed');
    for (const test of failedTests) failures.push({ what: name, detail: test.fullName });
    // A file that failed without a failing test (import error, failing hook, crashed
    // worker) reports no test at all: it still counts as one failure.
    if (file.status === 'failed' && failedTests.length === 0) {
      failures.push({ what: name, detail: firstLine(file.message) || 'the file failed outside any test' });
    }
  }
  // Unhandled errors make Vitest exit non-zero while every test passed.
  if (code !== 0 && failures.length === before) {
    failures.push({ what: 'vitest', detail: `exited with ${code} (unhandled error or no test files matched; see above)` });
  }
  return { passed: report.numPassedTests, skipped: report.numPendingTests + report.numTodoTests, files: report.testResults.length };
}

function firstLine(text: string): string {
  return text.split('\n', 1)[0]?.trim() ?? '';
}

interface SkipEntry {
  suite: string;
  reason: string;
}

function readSkips(): SkipEntry[] {
  if (!existsSync(skipLog)) return [];
  const seen = new Map<string, SkipEntry>();
  for (const line of readFileSync(skipLog, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    let entry: SkipEntry;
    try {
      const parsed = JSON.parse(line) as Partial<SkipEntry>;
      entry = { suite: String(parsed.suite ?? '(unnamed suite)'), reason: String(parsed.reason ?? '(no reason given)') };
    } catch {
      entry = { suite: '(unreadable skip-log line)', reason: line.trim() };
    }
    seen.set(`${entry.suite}\u0000${entry.reason}`, entry);
  }
  return [...seen.values()].sort((a, b) => a.suite.localeCompare(b.suite));
}

function printSkips(skips: SkipEntry[]): void {
  if (skips.length === 0) {
    console.log('\nNo suite skipped itself: PostgreSQL, NATS and Chromium suites all ran (or were not selected).');
    return;
  }
  const bar = '!'.repeat(78);
  console.log(`\n${bar}`);
  console.log(`!!! ${skips.length} SUITE(S) SKIPPED — THEY DID NOT RUN. Nothing below was tested:`);
  console.log(bar);
  for (const skip of skips) console.log(`!!!   ${skip.suite}\n!!!       why: ${skip.reason}`);
  console.log(bar);
  console.log('!!! CI makes them mandatory with CLINICSYNC_REQUIRE_POSTGRES=1, CLINICSYNC_REQUIRE_NATS=1,');
  console.log('!!! CLINICSYNC_REQUIRE_CHROMIUM=1,\n!!! CLINICSYNC_REQUIRE_PGBOUNCER=1 (see README, "Running against PostgreSQL and NATS").');
  console.log(bar);
}

async function main(): Promise<number> {
  const started = performance.now();
  mkdirSync(resultsDir, { recursive: true });
  writeFileSync(skipLog, '');

  const failures: Failure[] = [];
  await typecheck(failures);
  const args = process.argv.slice(2);
  const together = await vitest(args, failures, 'main');
  const alone = await vitest(args, failures, 'alone');
  const counts = { passed: together.passed + alone.passed, skipped: together.skipped + alone.skipped };
  if (together.files + alone.files === 0) failures.push({ what: 'vitest', detail: `no test file matched ${args.join(' ') || '(no filter)'}` });

  printSkips(readSkips());
  if (failures.length > 0) {
    console.log(`\nFAILED (${failures.length}):`);
    for (const failure of failures) console.log(`  ✗ ${failure.what} › ${failure.detail}`);
  }
  console.log(`\nfinished in ${seconds(started)}; reports in ${relative(root, resultsDir)}/`);
  console.log(`tests: ${counts.passed} passed, ${failures.length} failed, ${counts.skipped} skipped`);
  return failures.length > 0 ? 1 : 0;
}

process.exitCode = await main();
