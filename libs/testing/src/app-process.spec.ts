import { spawn } from 'node:child_process';
import { startAppProcess, stopChildProcess } from './app-process';

describe('app processes started by tests', () => {
  it('kills a process that ignores SIGTERM once the grace period is over', async () => {
    const stubborn = spawn(process.execPath, ['-e', "process.on('SIGTERM', () => undefined); console.log('up'); setInterval(() => undefined, 1000);"], {
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    await new Promise((ready) => stubborn.stdout.once('data', ready));
    await stopChildProcess(stubborn, 200);
    expect(stubborn.signalCode).toBe('SIGKILL');
  });

  it('fails, naming the app and its exit, when the app exits before it is ready', async () => {
    // The ledger refuses to start on a DATABASE_URL that is not a URL.
    await expect(startAppProcess('ledger', { env: { DATABASE_URL: 'not-a-url', KAFKA_BROKERS: '127.0.0.1:1' }, stderr: 'ignore' })).rejects.toThrow(
      /^ledger exited \(\d+\) before it was ready$/,
    );
  });
});
