import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { provisionTestEnvironment, teardownTestEnvironment } from './provision';

/**
 * `npm test`: provisions one Kafka broker and one PostgreSQL server for the whole run, then runs
 * lint, the type check and every project's Jest suite through Nx, then cleans up and prints the
 * total. Exits non-zero if anything failed or any test was skipped.
 */
const WORKSPACE_ROOT = resolve(__dirname, '..', '..', '..');

interface ProjectResult {
  rootDir: string;
  suites: number;
  failedSuites: number;
  passed: number;
  failed: number;
  skipped: string[];
}

const log = (line: string): void => console.log(`[finmesh test] ${line}`);

async function main(): Promise<number> {
  const resultsDir = mkdtempSync(join(tmpdir(), 'finmesh-test-results-'));
  const env = await provisionTestEnvironment(log);
  let nxExit = 1;
  let interrupted = false;
  try {
    nxExit = await runNx(['run-many', '-t', 'lint', 'typecheck', 'test', '--outputStyle=static', ...process.argv.slice(2)], {
      FINMESH_TEST_RESULTS_DIR: resultsDir,
    }, () => {
      interrupted = true;
    });
  } finally {
    await teardownTestEnvironment(env, log).catch((error: unknown) => {
      log(`cleanup failed: ${error instanceof Error ? error.message : String(error)}`);
    });
  }

  const results = readResults(resultsDir);
  rmSync(resultsDir, { recursive: true, force: true });
  const total = results.reduce(
    (sum, r) => ({
      suites: sum.suites + r.suites,
      failedSuites: sum.failedSuites + r.failedSuites,
      passed: sum.passed + r.passed,
      failed: sum.failed + r.failed,
    }),
    { suites: 0, failedSuites: 0, passed: 0, failed: 0 },
  );
  const skipped = results.flatMap((r) => r.skipped);
  console.log('');
  for (const r of results) {
    console.log(`  ${r.rootDir.replace(`${WORKSPACE_ROOT}/`, '').padEnd(32)} ${r.passed} passed, ${r.failed} failed`);
  }
  for (const s of skipped) console.log(`  skipped (not allowed): ${s}`);
  console.log(`Projects:    ${results.length} with tests`);
  console.log(`Test Suites: ${total.failedSuites} failed, ${total.suites - total.failedSuites} passed, ${total.suites} total`);
  console.log(`Tests:       ${total.failed} failed, ${total.passed} passed, ${total.passed + total.failed} total`);
  if (nxExit !== 0) console.log('Lint, type check or a test target failed: see the Nx output above.');
  console.log(`finmesh: ${total.passed} passed, ${total.failed} failed`);
  if (interrupted) return 130;
  return nxExit !== 0 || total.failed > 0 || total.failedSuites > 0 || skipped.length > 0 || results.length === 0 ? 1 : 0;
}

function runNx(args: string[], extraEnv: Record<string, string>, onInterrupt: () => void): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [require.resolve('nx/package.json').replace(/package\.json$/, 'dist/bin/nx.js'), ...args], {
      cwd: WORKSPACE_ROOT,
      stdio: 'inherit',
      env: { ...process.env, ...extraEnv, NX_NO_CLOUD: 'true', NX_DAEMON: 'false' },
    });
    const forward = (signal: NodeJS.Signals): void => {
      onInterrupt();
      child.kill(signal);
    };
    process.once('SIGINT', forward);
    process.once('SIGTERM', forward);
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      process.off('SIGINT', forward);
      process.off('SIGTERM', forward);
      resolvePromise(code ?? (signal ? 1 : 0));
    });
  });
}

function readResults(dir: string): ProjectResult[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as ProjectResult)
    .sort((a, b) => a.rootDir.localeCompare(b.rootDir));
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(`[finmesh test] ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exitCode = 1;
  },
);
