import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';

/**
 * The contract other projects rely on when they spawn the sandbox as a process:
 * `node tools/run-ts.cjs apps/provider-sandbox/src/main.ts` with PORT=0 prints a JSON ready
 * line with the URL, writes only JSON lines to stdout, and stops cleanly on SIGTERM.
 */
interface ReadyLine {
  url: string;
  resumed?: { savedAt: string; clock: string; caughtUpMs: number } | null;
}

describe('main.ts as a process', () => {
  const workspaceRoot = path.resolve(__dirname, '../../..');
  let child: ChildProcess | undefined;

  async function startProcess(env: Record<string, string>): Promise<{ child: ChildProcess; ready: ReadyLine }> {
    const started = spawn(process.execPath, ['tools/run-ts.cjs', 'apps/provider-sandbox/src/main.ts'], { cwd: workspaceRoot, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    const stdout = started.stdout;
    if (!stdout) throw new Error('no stdout');
    let stderr = '';
    started.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const ready = await new Promise<ReadyLine>((resolve, reject) => {
      createInterface({ input: stdout }).on('line', (line) => {
        const parsed = JSON.parse(line) as ReadyLine & { event?: string };
        if (parsed.event === 'sandbox.ready') resolve(parsed);
      });
      started.once('exit', (code) => reject(new Error(`the sandbox exited with ${String(code)} before it was ready: ${stderr}`)));
    });
    return { child: started, ready };
  }

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

  it('with SANDBOX_STATE_FILE, stops on SIGTERM with its state saved and resumes from it: same ground truth, same next ids', async () => {
    const directory = mkdtempSync(path.join(tmpdir(), 'sandbox-process-'));
    const stateFile = path.join(directory, 'state', 'sandbox.state');
    mkdirSync(path.dirname(stateFile));
    const env = { PORT: '0', SANDBOX_CLOCK: 'manual', SANDBOX_SIZE: 'tiny', LOG_LEVEL: 'warn', SANDBOX_START_TIME: '2025-03-03T09:00:00Z', SANDBOX_STATE_FILE: stateFile };
    const admin = { authorization: 'Bearer sandbox-admin-token' };
    const finx = { authorization: 'Bearer finx-sandbox-token', 'content-type': 'application/json' };
    const groundTruth = async (url: string): Promise<unknown> => (await fetch(`${url}/_admin/ground-truth`, { headers: admin })).json();
    const createFinxAccount = async (url: string): Promise<string> =>
      ((await (await fetch(`${url}/finx/v1/accounts`, { method: 'POST', headers: finx, body: JSON.stringify({ type: 'savings', balance: 10, currency: 'EUR', owner_id: 'o' }) })).json()) as { id: string }).id;
    try {
      const first = await startProcess(env);
      child = first.child;
      expect(first.ready.resumed).toBeNull();
      const created = await createFinxAccount(first.ready.url);
      await fetch(`${first.ready.url}/finx/v1/accounts/${created}`, { method: 'PUT', headers: finx, body: JSON.stringify({ balance: 12.5 }) });
      await fetch(`${first.ready.url}/_admin/clock/advance`, { method: 'POST', headers: { ...admin, 'content-type': 'application/json' }, body: JSON.stringify({ ms: 90_000 }) });
      const truth = await groundTruth(first.ready.url);
      const exited = new Promise<number | null>((resolve) => first.child.once('exit', (code) => resolve(code)));
      first.child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(readdirSync(path.dirname(stateFile))).toEqual(['sandbox.state']);

      const second = await startProcess(env);
      child = second.child;
      expect(second.ready.resumed).toMatchObject({ clock: '2025-03-03T09:01:30.000Z' });
      expect(await groundTruth(second.ready.url)).toEqual(truth);
      const next = await createFinxAccount(second.ready.url);
      expect(next).not.toBe(created);
      expect(JSON.stringify(truth)).not.toContain(next);
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });

  it('refuses a state file of another seed, saying how to start over', async () => {
    const directory = mkdtempSync(path.join(tmpdir(), 'sandbox-process-'));
    const stateFile = path.join(directory, 'sandbox.state');
    try {
      const first = await startProcess({ PORT: '0', SANDBOX_CLOCK: 'manual', SANDBOX_SIZE: 'tiny', SANDBOX_SEED: 'one', SANDBOX_STATE_FILE: stateFile });
      child = first.child;
      const exited = new Promise<number | null>((resolve) => first.child.once('exit', (code) => resolve(code)));
      first.child.kill('SIGTERM');
      expect(await exited).toBe(0);
      child = spawn(process.execPath, ['tools/run-ts.cjs', 'apps/provider-sandbox/src/main.ts'], {
        cwd: workspaceRoot,
        env: { ...process.env, PORT: '0', SANDBOX_SIZE: 'tiny', SANDBOX_SEED: 'two', SANDBOX_STATE_FILE: stateFile },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
      const code = await new Promise<number | null>((resolve) => child?.once('exit', (exitCode) => resolve(exitCode)));
      expect(code).toBe(1);
      expect(stderr).toContain(`${stateFile} was saved by a sandbox with seed "one"`);
      expect(stderr).toContain(`delete ${stateFile} to start the sandbox again from its seed`);
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
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
