// Integration test, real parts: the Kafka broker and PostgreSQL of this run, the provider sandbox
// as a separate process (a real HTTP server verifying INDX signatures), and the INDX connector
// service in this process.
import type { ConnectorApp, SyncCycleResult } from '@finmesh/connector-kit';
import type { GroundTruthAccount } from '@finmesh/testing';
import { expectEventually } from '@finmesh/testing';
import { Pool } from 'pg';
import { bootstrapIndxConnector } from './indx-app';
import { startIndxTestEnvironment, type IndxTestEnvironment } from './testing/indx-test-env';

interface ListBody {
  data: Array<{ id: string; parentId?: string; data: Record<string, unknown> }>;
}

describe('INDX sync against the provider sandbox', () => {
  let env: IndxTestEnvironment;
  let connector: ConnectorApp;
  let truth: GroundTruthAccount[];
  let pool: Pool;
  const apps: ConnectorApp[] = [];

  const get = async <T>(path: string): Promise<{ status: number; body: T }> => {
    const response = await fetch(`${connector.url}${path}`);
    return { status: response.status, body: (await response.json()) as T };
  };
  const metric = async (line: RegExp): Promise<number> => {
    const text = await (await fetch(`${connector.url}/metrics`)).text();
    const found = text.split('\n').find((candidate) => line.test(candidate));
    return found === undefined ? 0 : Number(found.split(' ').pop());
  };

  beforeAll(async () => {
    env = await startIndxTestEnvironment('indx-sync', { size: 'small' });
    pool = new Pool({ connectionString: env.databaseUrl, max: 2 });
    connector = await bootstrapIndxConnector(
      await env.config({
        INDX_TRANSACTIONS_PAGE_SIZE: '50',
        INDX_ACCOUNTS_PER_PAGE: '3',
        PROVIDER_RESPONSE_TIMEOUT_MS: '400',
        PROVIDER_CIRCUIT_FAILURES: '3',
        PROVIDER_CIRCUIT_HALF_OPEN_MS: '1500',
      }),
    );
    apps.push(connector);
    truth = await env.sandbox.admin.groundTruth('indx');
  });

  afterAll(async () => {
    for (const app of apps) await app.app.close();
    await pool.end();
    await env.stop();
  });

  it('publishes the seeded balances and every booked transaction, and keeps the accounts', async () => {
    const result = await connector.runtime.engine.syncNow();
    expect(result.attempts.map((attempt) => [attempt.resource, attempt.outcome])).toEqual([
      ['accounts', 'completed'],
      ['external_accounts', 'completed'],
      ['balances', 'completed'],
      ['transactions', 'completed'],
    ]);
    const published = result.attempts.reduce((sum, attempt) => sum + attempt.events, 0);
    await env.collector.waitForCount(published);

    const balances = env.collector.of('balance.updated');
    expect(balances.map((event) => [event.account.id, event.data.booked, event.data.available]).sort()).toEqual(
      truth.map((account) => [account.accountId, account.balance, account.available]).sort(),
    );
    const booked = truth.flatMap((account) => (account.transactions ?? []).filter((tx) => tx.status === 'booked').map((tx) => ({ ...tx, accountId: account.accountId })));
    const transactions = env.collector.of('transaction.posted');
    expect(transactions.map((event) => event.data.providerTransactionId).sort()).toEqual(booked.map((tx) => tx.id).sort());
    for (const tx of booked) {
      const event = transactions.find((candidate) => candidate.data.providerTransactionId === tx.id);
      const signed = BigInt(tx.amount.amount);
      expect({ tx: tx.id, direction: event?.data.direction, amount: event?.data.amount, account: event?.account.id }).toEqual({
        tx: tx.id,
        direction: signed < 0n ? 'debit' : 'credit',
        amount: { amount: (signed < 0n ? -signed : signed).toString(), asset: tx.amount.asset },
        account: tx.accountId,
      });
    }
    // Fees are booked as fees; each account's entries add up to its balance.
    const fees = transactions.filter((event) => event.data.kind === 'fee');
    expect(fees.length).toBeGreaterThan(0);
    for (const fee of fees) expect(fee.data.fee).toEqual(fee.data.amount);
    for (const account of truth) {
      const net = transactions
        .filter((event) => event.account.id === account.accountId)
        .reduce((sum, event) => sum + (event.data.direction === 'credit' ? 1n : -1n) * BigInt(event.data.amount.amount), 0n);
      expect({ account: account.accountId, net: net.toString() }).toEqual({ account: account.accountId, net: account.balance.amount });
    }
    expect(transactions.some((event) => event.data.counterparty?.name !== undefined)).toBe(true);

    const accounts = await get<ListBody>('/v1/accounts');
    expect(accounts.body.data.map((account) => account.id).sort()).toEqual(truth.map((account) => account.accountId).sort());
    const external = await get<ListBody>('/v1/external-accounts');
    expect(external.body.data.map((account) => account.id)).toEqual(['ext_1', 'ext_2', 'ext_3']);
    const first = truth[0]?.accountId ?? '';
    const locations = await get<ListBody>(`/v1/deposit-locations?parentId=${first}`);
    expect(locations.body.data.length).toBeGreaterThan(0);
    expect(locations.body.data.every((location) => location.parentId === first && location.data['accountId'] === first)).toBe(true);
    expect((await get<{ id: string }>(`/v1/accounts/${first}`)).body.id).toBe(first);
    expect((await get<unknown>('/v1/unknown-things')).status).toBe(404);
    expect(await metric(/^finmesh_connector_events_published_total\{.*type="transaction.posted"/)).toBe(transactions.length);
  });

  it('publishes no new ids on a second sync (run through POST /v1/sync)', async () => {
    const before = new Set(env.collector.events.map((event) => event.id));
    const response = await fetch(`${connector.url}/v1/sync`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(response.status).toBe(200);
    const result = (await response.json()) as SyncCycleResult;
    expect(result.acquired).toBe(true);
    expect(result.attempts.every((attempt) => attempt.outcome === 'completed')).toBe(true);
    const published = result.attempts.reduce((sum, attempt) => sum + attempt.events, 0);
    // The clock did not move: the balances are the same facts; the transactions run starts at its watermark.
    await env.collector.waitForCount(before.size + published);
    expect(published).toBeGreaterThan(0);
    expect(new Set(env.collector.events.map((event) => event.id))).toEqual(before);
    const status = await get<{ data: Array<{ resource: string; runInProgress: boolean; lastSuccessAt: string | null }> }>('/v1/sync');
    expect(status.body.data.map((row) => [row.resource, row.runInProgress, row.lastSuccessAt !== null])).toEqual([
      ['accounts', false, true],
      ['balances', false, true],
      ['external_accounts', false, true],
      ['transactions', false, true],
    ]);
    const metrics = await (await fetch(`${connector.url}/metrics`)).text();
    expect(metrics).toMatch(/^finmesh_connector_sync_lag_seconds\{resource="transactions",service="connector-indx"\} \d/m);
    expect(metrics).toMatch(/^finmesh_connector_provider_requests_total\{endpoint="transactions.list",method="GET",outcome="ok",service="connector-indx"\} \d+/m);
  });

  it('retries rate limits, server errors and timeouts injected in the sandbox', async () => {
    const admin = env.sandbox.admin;
    await admin.addFault({ provider: 'indx', kind: 'rate_limit', route: '/v1/transactions', count: 2, retryAfterSeconds: 1 });
    await admin.addFault({ provider: 'indx', kind: 'error', route: '/v1/accounts/:accountId/balance', status: 503, count: 2 });
    await admin.addFault({ provider: 'indx', kind: 'timeout', route: '/v1/external-accounts', count: 1, latencyMs: 2_000 });
    await admin.addFault({ provider: 'indx', kind: 'truncate', route: '/v1/accounts', count: 1 });
    const before = env.collector.events.length;
    const started = Date.now();
    const result = await connector.runtime.engine.syncNow();
    expect(result.attempts.map((attempt) => attempt.outcome)).toEqual(['completed', 'completed', 'completed', 'completed']);
    // Retry-After: 1 was honoured.
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_000);
    expect((await admin.faults()).map((fault) => fault.fired)).toEqual([2, 2, 1, 1]);
    await admin.clearFaults('indx');
    expect(await metric(/^finmesh_connector_provider_retries_total\{.*endpoint="transactions.list",kind="rate_limited"/)).toBe(2);
    expect(await metric(/^finmesh_connector_provider_retries_total\{.*endpoint="accounts.balance",kind="server_error"/)).toBe(2);
    expect(await metric(/^finmesh_connector_provider_requests_total\{.*endpoint="external-accounts.list",method="GET",outcome="timeout"/)).toBe(1);
    await env.collector.waitForCount(before + result.attempts.reduce((sum, attempt) => sum + attempt.events, 0));
  });

  it('opens the circuit while INDX keeps failing, reports it, resumes from the cursor and closes it again', async () => {
    const admin = env.sandbox.admin;
    await admin.addFault({ provider: 'indx', kind: 'error', status: 502 });
    const failed = await connector.runtime.engine.syncNow(['balances']);
    expect(failed.attempts[0]).toMatchObject({ resource: 'balances', outcome: 'failed' });
    expect(await metric(/^finmesh_connector_provider_circuit_state\{/)).toBe(2);
    const ready = await fetch(`${connector.url}/health/ready`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({ error: { provider: { status: 'down', message: expect.stringMatching(/circuit open/) } } });
    // While open, calls fail fast without reaching INDX.
    const firedWhileOpen = (await admin.faults())[0]?.fired ?? 0;
    expect((await connector.runtime.engine.syncNow(['balances'])).attempts[0]).toMatchObject({ outcome: 'failed', error: expect.stringMatching(/circuit open/) });
    expect((await admin.faults())[0]?.fired).toBe(firedWhileOpen);

    await admin.clearFaults('indx');
    const recovered = await expectEventually(
      async () => {
        const result = await connector.runtime.engine.syncNow(['balances']);
        expect(result.attempts[0]).toMatchObject({ outcome: 'completed', resumed: true });
        return result;
      },
      { timeoutMs: 10_000, intervalMs: 100 },
    );
    expect(recovered.attempts[0]?.pages).toBeGreaterThan(0);
    expect(await metric(/^finmesh_connector_provider_circuit_state\{/)).toBe(0);
    await expectEventually(async () => expect((await fetch(`${connector.url}/health/ready`)).status).toBe(200));
  });

  it('never lets two replicas sync at once', async () => {
    const replica = await bootstrapIndxConnector(await env.config({ SYNC_ENABLED: 'true', SYNC_INTERVAL_MS: '150', SYNC_LEASE_RETRY_MS: '50', CONNECTOR_INSTANCE_ID: 'replica-b' }));
    apps.push(replica);
    const other = await bootstrapIndxConnector(await env.config({ SYNC_ENABLED: 'true', SYNC_INTERVAL_MS: '150', SYNC_LEASE_RETRY_MS: '50', CONNECTOR_INSTANCE_ID: 'replica-c' }));
    apps.push(other);
    await expectEventually(
      async () => {
        const holders = await pool.query<{ holder: string; n: number }>(
          `SELECT holder, count(*)::int AS n FROM connector_sync_attempts WHERE holder IN ('replica-b', 'replica-c') GROUP BY holder`,
        );
        expect(holders.rows.map((row) => row.holder).sort()).toEqual(['replica-b', 'replica-c']);
        expect(holders.rows.reduce((sum, row) => sum + row.n, 0)).toBeGreaterThanOrEqual(12);
      },
      { timeoutMs: 30_000, intervalMs: 200 },
    );
    await replica.runtime.engine.stop();
    await other.runtime.engine.stop();
    const overlaps = await pool.query(
      `SELECT x.holder, y.holder FROM connector_sync_attempts x JOIN connector_sync_attempts y ON x.id < y.id
        WHERE tstzrange(x.started_at, coalesce(x.finished_at, 'infinity')) && tstzrange(y.started_at, coalesce(y.finished_at, 'infinity'))`,
    );
    expect(overlaps.rows).toEqual([]);
  });
});
