import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';

const WORKSPACE_ROOT = resolve(__dirname, '..', '..', '..');

/** A port the operating system just handed out, free for a child process to listen on. */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address !== null ? resolvePort(address.port) : reject(new Error('no free port'))));
    });
  });
}

// Every child a test started, so none outlives the Jest worker: a suite whose setup failed half
// way never reaches the code that would have stopped it, and a leftover process keeps ports,
// consumer groups and database connections busy for the rest of the run.
const running = new Set<ChildProcess>();
let exitHookInstalled = false;

/** Registers a child process to be killed when this process exits, whatever the suite did. */
export function killOnExit(child: ChildProcess): void {
  running.add(child);
  child.once('exit', () => running.delete(child));
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const leftover of running) leftover.kill('SIGKILL');
  });
}

function isRunning(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null;
}

/** Sends SIGTERM and waits for the exit; SIGKILL when the process has not ended within `graceMs`. */
export function stopChildProcess(child: ChildProcess, graceMs = 15_000): Promise<void> {
  if (!isRunning(child)) return Promise.resolve();
  return new Promise<void>((done) => {
    const forced = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(forced);
      done();
    });
    child.kill('SIGTERM');
  });
}

export interface AppProcessOptions {
  /** Environment on top of this process's own; `PORT` and `HOST` are set by the helper. */
  env: Record<string, string>;
  /** The port to listen on (default: a free one). */
  port?: number;
  /** Polled until it answers 200 (default `/health/ready`); `null` to return as soon as it is spawned. */
  readyPath?: string | null;
  readyTimeoutMs?: number;
  /** Where the child's stderr goes (default: this process's, so a crash is visible in the test log). */
  stderr?: 'inherit' | 'ignore';
}

export interface AppProcess {
  readonly url: string;
  readonly port: number;
  readonly child: ChildProcess;
  /** SIGTERM, then SIGKILL after a grace period; resolves once the process has exited. */
  stop(): Promise<void>;
}

/**
 * Starts `apps/<app>/src/main.ts` as a separate process (tests of one app cannot import another)
 * and waits until its readiness endpoint answers 200. A process that exits before it is ready
 * fails the call with its exit code; one that is never ready is killed and fails it too.
 */
export async function startAppProcess(app: string, options: AppProcessOptions): Promise<AppProcess> {
  const port = options.port ?? (await freePort());
  const child = spawn(process.execPath, [join(WORKSPACE_ROOT, 'tools', 'run-ts.cjs'), join(WORKSPACE_ROOT, 'apps', app, 'src', 'main.ts')], {
    cwd: WORKSPACE_ROOT,
    env: { ...process.env, LOG_LEVEL: 'error', ...options.env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'ignore', options.stderr ?? 'inherit'],
  });
  killOnExit(child);
  const url = `http://127.0.0.1:${port}`;
  const started: AppProcess = { url, port, child, stop: () => stopChildProcess(child) };
  const readyPath = options.readyPath === undefined ? '/health/ready' : options.readyPath;
  if (readyPath === null) return started;

  const deadline = Date.now() + (options.readyTimeoutMs ?? 60_000);
  for (;;) {
    if (!isRunning(child)) throw new Error(`${app} exited (${String(child.exitCode ?? child.signalCode)}) before it was ready`);
    try {
      const response = await fetch(`${url}${readyPath}`);
      await response.body?.cancel();
      if (response.status === 200) return started;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) {
      await stopChildProcess(child, 1_000);
      throw new Error(`${app} was not ready at ${url}${readyPath} in time`);
    }
    await new Promise((wait) => setTimeout(wait, 250));
  }
}
