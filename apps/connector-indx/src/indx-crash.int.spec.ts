// Crash test, real parts: the Kafka broker and PostgreSQL of this run, the provider sandbox as a
// separate process, and the INDX connector as a separate process that is killed with SIGKILL in
// the middle of its transactions sync, then restarted.
import { spawn, type ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { expectEventually, freePort, killOnExit } from '@finmesh/testing';
import { Pool } from 'pg';
import { startIndxTestEnvironment, type IndxTestEnvironment } from './testing/indx-test-env';

const WORKSPACE_ROOT = resolve(__dirname, '..', '..', '..');
const PAGE_SIZE = 10;

interface LogLine {
  msg?: string;
  resource?: string;
  pagesDone?: number;
}

describe('the INDX connector killed in the middle of a sync', () => {
  let env: IndxTestEnvironment;
  let pool: Pool;
  const children: ChildProcess[] = [];

  const startConnector = async (): Promise<{ child: ChildProcess; logs: LogLine[] }> => {
    const child = spawn(process.execPath, [join(WORKSPACE_ROOT, 'tools', 'run-ts.cjs'), join(WORKSPACE_ROOT, 'apps', 'connector-indx', 'src', 'main.ts')], {
      cwd: WORKSPACE_ROOT,
      env: {
        ...process.env,
        ...env.connectorEnv({ SYNC_ENABLED: 'true', LOG_LEVEL: 'info', INDX_TRANSACTIONS_PAGE_SIZE: String(PAGE_SIZE) }),
        PORT: String(await freePort()),
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    children.push(child);
    killOnExit(child);
    const logs: LogLine[] = [];
    createInterface({ input: child.stdout ?? process.stdin }).on('line', (line) => {
      try {
        logs.push(JSON.parse(line) as LogLine);
      } catch {
        // Only JSON log lines matter here.
      }
    });
    return { child, logs };
  };

  const transactionsState = async (): Promise<{ pages: number; running: boolean; done: boolean }> => {
    try {
      const result = await pool.query<{ pages_in_run: number; run_id: string | null; last_success_at: Date | null }>(
        `SELECT pages_in_run, run_id, last_success_at FROM connector_sync_state WHERE connector = 'indx' AND resource = 'transactions'`,
      );
      const row = result.rows[0];
      return { pages: row?.pages_in_run ?? 0, running: row?.run_id !== null && row !== undefined, done: row?.last_success_at !== null && row !== undefined };
    } catch (error: unknown) {
      if ((error as { code?: string }).code === '42P01') return { pages: 0, running: false, done: false }; // not migrated yet
      throw error;
    }
  };

  beforeAll(async () => {
    env = await startIndxTestEnvironment('indx-crash', { size: 'small' });
    pool = new Pool({ connectionString: env.databaseUrl, max: 2 });
    // Slow pages, so the kill lands in the middle of the run.
    await env.sandbox.admin.addFault({ provider: 'indx', kind: 'latency', route: '/v1/transactions', latencyMs: 150 });
  });

  afterAll(async () => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await pool?.end();
    await env?.stop();
  });

  it('resumes from the cursor after SIGKILL: no gap, no new ids', async () => {
    const first = await startConnector();
    await expectEventually(async () => expect((await transactionsState()).pages).toBeGreaterThanOrEqual(6), { timeoutMs: 60_000, intervalMs: 20 });
    first.child.kill('SIGKILL');
    await new Promise((done) => first.child.once('exit', done));
    const atKill = await transactionsState();
    expect(atKill.running).toBe(true);
    expect(atKill.done).toBe(false);

    const second = await startConnector();
    await expectEventually(async () => expect(await transactionsState()).toMatchObject({ running: false, done: true }), { timeoutMs: 60_000, intervalMs: 100 });
    const resumed = second.logs.find((line) => line.msg === 'resuming an interrupted sync run at its persisted cursor' && line.resource === 'transactions');
    expect(resumed?.pagesDone).toBe(atKill.pages);

    const truth = await env.sandbox.admin.groundTruth('indx');
    const booked = truth.flatMap((account) => (account.transactions ?? []).filter((tx) => tx.status === 'booked').map((tx) => tx.id)).sort();
    await expectEventually(() => expect(new Set(env.collector.of('transaction.posted').map((event) => event.data.providerTransactionId)).size).toBe(booked.length), {
      timeoutMs: 30_000,
    });
    const posted = env.collector.of('transaction.posted');
    // No gap: every booked entry was published.
    expect([...new Set(posted.map((event) => event.data.providerTransactionId))].sort()).toEqual(booked);
    // No new ids: one id per entry, whichever process published it.
    const idsPerEntry = new Map<string, Set<string>>();
    for (const event of posted) idsPerEntry.set(event.data.providerTransactionId, (idsPerEntry.get(event.data.providerTransactionId) ?? new Set()).add(event.id));
    expect([...idsPerEntry.values()].every((ids) => ids.size === 1)).toBe(true);
    // At most the page in flight at the kill was published twice.
    expect(posted.length - booked.length).toBeLessThanOrEqual(PAGE_SIZE);

    const attempts = await pool.query<{ outcome: string; resumed: boolean }>(
      `SELECT outcome, resumed FROM connector_sync_attempts WHERE connector = 'indx' AND resource = 'transactions' ORDER BY started_at`,
    );
    expect(attempts.rows).toEqual([
      { outcome: 'interrupted', resumed: false },
      { outcome: 'completed', resumed: true },
    ]);
    second.child.kill('SIGTERM');
    await new Promise((done) => second.child.once('exit', done));
  }, 180_000);
});
