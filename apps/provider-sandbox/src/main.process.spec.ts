import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';

/**
 * The contract other projects rely on when they spawn the sandbox as a process:
 * `node tools/run-ts.cjs apps/provider-sandbox/src/main.ts` with PORT=0 prints a JSON ready
 * line with the URL, writes only JSON lines to stdout, and stops cleanly on SIGTERM.
 */
describe('main.ts as a process', () => {
  const workspaceRoot = path.resolve(__dirname, '../../..');
  let child: ChildProcess | undefined;

  afterEach(() => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
  });

  it('prints the ready line with the URL, serves health and stops on SIGTERM', async () => {
    child = spawn(process.execPath, ['tools/run-ts.cjs', 'apps/provider-sandbox/src/main.ts'], {
      cwd: workspaceRoot,
      env: { ...process.env, PORT: '0', SANDBOX_CLOCK: 'manual', SANDBOX_SIZE: 'tiny', LOG_LEVEL: 'info', SANDBOX_START_TIME: '2025-03-03T09:00:00Z' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const lines: string[] = [];
    const stdout = child.stdout;
    if (!stdout) throw new Error('no stdout');
    const ready = await new Promise<{ url: string; baseUrls: Record<string, string> }>((resolve, reject) => {
      createInterface({ input: stdout }).on('line', (line) => {
        lines.push(line);
        const parsed = JSON.parse(line) as { event?: string; url: string; baseUrls: Record<string, string> };
        if (parsed.event === 'sandbox.ready') resolve(parsed);
      });
      child?.once('exit', (code) => reject(new Error(`the sandbox exited with ${String(code)} before it was ready`)));
    });
    expect(ready.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(ready.baseUrls.indodax).toBe(`${ready.url}/indodax`);

    const live = await fetch(`${ready.url}/health/live`);
    expect(await live.json()).toEqual({ status: 'ok' });
    const readiness = await fetch(`${ready.url}/health/ready`);
    expect(readiness.status).toBe(200);

    const exited = new Promise<number | null>((resolve) => child?.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    for (const line of lines) expect(() => JSON.parse(line) as unknown).not.toThrow();
  });

  it('refuses a bad configuration with a message naming the variable', async () => {
    child = spawn(process.execPath, ['tools/run-ts.cjs', 'apps/provider-sandbox/src/main.ts'], {
      cwd: workspaceRoot,
      env: { ...process.env, PORT: '0', SANDBOX_SIZE: 'huge' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const code = await new Promise<number | null>((resolve) => child?.once('exit', (exitCode) => resolve(exitCode)));
    expect(code).toBe(1);
    expect(stderr).toContain('SANDBOX_SIZE');
  });
});
