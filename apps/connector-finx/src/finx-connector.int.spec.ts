// Integration, real parts: the Kafka broker and PostgreSQL of this test run, the provider sandbox
// as a real HTTP server process, and the ledger service as a separate process reading the topics.
import type { SyncCycleResult } from '@finmesh/connector-kit';
import { expectEventually, type GroundTruthAccount } from '@finmesh/testing';
import { randomUUID } from 'node:crypto';
import { bootstrapFinxConnector, type FinxConnectorApp } from './finx-app';
import { startFinxTestEnvironment, startLedgerProcess, type FinxTestEnvironment, type LedgerProcess } from './testing/finx-test-env';

const ACCOUNTS = 7;
const PAGE_SIZE = 2;

interface Money {
  amount: string;
  asset: string;
}
interface AccountBody {
  account: { id: string; type: string; currency: string; ownerId: string; balance: Money; createdAt: string; updatedAt: string };
}
interface Discrepancy {
  accountKey: string;
  status: string;
  asset: string;
  ledgerBalance: Money;
  providerBalance: Money;
  difference: Money;
}

describe('connector-finx against the sandbox, Kafka, PostgreSQL and the ledger', () => {
  let env: FinxTestEnvironment;
  let ledger: LedgerProcess;
  let connector: FinxConnectorApp;

  const api = async (method: string, path: string, options: { body?: string; key?: string } = {}): Promise<{ status: number; headers: Headers; json: unknown }> => {
    const response = await fetch(`${connector.url}${path}`, {
      method,
      headers: {
        ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(options.key === undefined ? {} : { 'idempotency-key': options.key }),
      },
      ...(options.body === undefined ? {} : { body: options.body }),
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, json: text === '' ? undefined : (JSON.parse(text) as unknown) };
  };
  const sync = async (): Promise<SyncCycleResult> => {
    const response = await api('POST', '/v1/sync', { body: '{"resources":["accounts"]}' });
    expect(response.status).toBe(200);
    return response.json as SyncCycleResult;
  };
  /** Fin X itself, as another of its clients would change it. */
  const finx = (method: string, path: string, body?: string): Promise<Response> =>
    fetch(`${env.finxBaseUrl}${path}`, {
      method,
      headers: { authorization: 'Bearer finx-sandbox-token', ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body }),
    });
  const groundTruth = (): Promise<GroundTruthAccount[]> => env.sandbox.admin.groundTruth('finx', { transactions: false });
  const balancesOf = (accountId: string) => env.collector.of('balance.updated').filter((event) => event.account.id === accountId);
  const openDiscrepancies = async (): Promise<Discrepancy[]> =>
    (await ledger.get<{ data: Discrepancy[] }>('/v1/discrepancies?provider=finx&status=open&limit=100')).data;

  beforeAll(async () => {
    env = await startFinxTestEnvironment('connector-finx', { env: { SANDBOX_ACCOUNTS: String(ACCOUNTS) } });
    ledger = await startLedgerProcess({ brokers: env.brokers, prefix: env.prefix, suite: 'connector-finx' });
    connector = await bootstrapFinxConnector(await env.config({ FINX_PAGE_SIZE: String(PAGE_SIZE), LOG_LEVEL: 'error' }));
  }, 120_000);

  afterAll(async () => {
    await connector?.app.close();
    await ledger?.stop();
    await env?.stop();
  });

  it('publishes one balance.updated per account over many pages, opens them in the ledger, and publishes nothing on a second sync', async () => {
    const truth = await groundTruth();
    expect(truth).toHaveLength(ACCOUNTS);

    const first = await sync();
    expect(first.attempts).toEqual([expect.objectContaining({ resource: 'accounts', outcome: 'completed', pages: Math.ceil(ACCOUNTS / PAGE_SIZE), events: ACCOUNTS })]);
    await env.collector.waitFor('balance.updated', ACCOUNTS);
    const published = env.collector.of('balance.updated');
    expect(published).toHaveLength(ACCOUNTS);
    expect(new Set(published.map((event) => event.account.id))).toEqual(new Set(truth.map((account) => account.accountId)));
    for (const account of truth) {
      const [event] = balancesOf(account.accountId);
      expect(event?.data.booked).toEqual(account.balance);
      expect(event?.source).toBe('poll');
    }

    const second = await sync();
    expect(second.attempts).toEqual([expect.objectContaining({ outcome: 'completed', events: 0 })]);

    await expectEventually(async () => {
      const { data } = await ledger.get<{ data: Array<{ providerAccountKey: string; booked: Money }> }>('/v1/balances?provider=finx');
      expect(data).toHaveLength(ACCOUNTS);
      for (const account of truth) expect(data.find((row) => row.providerAccountKey === `finx:${account.accountId}`)?.booked).toEqual(account.balance);
    });
    expect(await openDiscrepancies()).toEqual([]);
    expect(env.collector.of('balance.updated')).toHaveLength(ACCOUNTS);
  });

  it('books a balance change made at Fin X as an adjustment, so the ledger follows Fin X with no discrepancy; rechecks it once', async () => {
    const [account] = await groundTruth();
    if (!account) throw new Error('no account');
    await env.sandbox.admin.advanceClock({ seconds: 60 });
    const before = BigInt(account.balance.amount);
    const after = before + 12_345n;
    const precision = Number(account.asset.split('/')[1]);
    const decimal = precision === 0 ? after.toString() : `${after / 10n ** BigInt(precision)}.${(after % 10n ** BigInt(precision)).toString().padStart(precision, '0')}`;
    expect((await finx('PUT', `/v1/accounts/${account.accountId}`, `{"balance":${decimal}}`)).status).toBe(200);

    const result = await sync();
    expect(result.attempts).toEqual([expect.objectContaining({ outcome: 'completed', events: 2 })]);
    await expectEventually(() => expect(balancesOf(account.accountId)).toHaveLength(2));
    const changed = balancesOf(account.accountId)[1];
    expect(changed?.data.booked).toEqual({ amount: after.toString(), asset: account.asset });
    const movements = env.collector.of('transaction.posted').filter((event) => event.account.id === account.accountId);
    expect(movements).toEqual([
      expect.objectContaining({
        occurredAt: changed?.data.asOf,
        data: expect.objectContaining({ kind: 'adjustment', direction: 'credit', amount: { amount: '12345', asset: account.asset }, status: 'booked', bookedAt: changed?.data.asOf }),
      }),
    ]);
    // The next run publishes the same balance once more (whatever order the ledger read the two topics in), then nothing.
    expect((await sync()).attempts).toEqual([expect.objectContaining({ events: 1 })]);
    expect((await sync()).attempts).toEqual([expect.objectContaining({ events: 0 })]);

    await expectEventually(async () => {
      // As of the change: the sandbox clock runs ahead of the wall clock (advanced in these tests), and the ledger's "now" is the wall clock.
      const { data } = await ledger.get<{ data: Array<{ providerAccountKey: string; booked: Money }> }>(`/v1/balances?provider=finx&asOf=${changed?.data.asOf ?? ''}`);
      expect(data.find((row) => row.providerAccountKey === `finx:${account.accountId}`)?.booked).toEqual({ amount: after.toString(), asset: account.asset });
      expect(await openDiscrepancies()).toEqual([]);
    });
  });

  it('creates, updates and deletes accounts idempotently, each change reflected as events a sync does not repeat', async () => {
    await env.sandbox.admin.advanceClock({ seconds: 60 });
    const key = randomUUID();
    const body = '{"type":"savings","balance":5000.25,"currency":"USD","ownerId":"WAz8eIbvDR60rouK"}';
    const created = await api('POST', '/v1/accounts', { body, key });
    expect(created.status).toBe(201);
    const { account } = created.json as AccountBody;
    expect(account).toMatchObject({ type: 'savings', currency: 'USD', ownerId: 'WAz8eIbvDR60rouK', balance: { amount: '500025', asset: 'USD/2' } });

    const replay = await api('POST', '/v1/accounts', { body, key });
    expect(replay.status).toBe(200);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.json).toEqual(created.json);
    const conflict = await api('POST', '/v1/accounts', { body: body.replace('5000.25', '5000.26'), key });
    expect(conflict.status).toBe(409);
    expect(conflict.json).toMatchObject({ error: { code: 'idempotency_conflict' } });
    expect((await groundTruth()).filter((entry) => entry.accountId === account.id)).toHaveLength(1);
    expect(await groundTruth()).toHaveLength(ACCOUNTS + 1);

    await expectEventually(() => expect(balancesOf(account.id)).toEqual([expect.objectContaining({ source: 'command', data: expect.objectContaining({ booked: { amount: '500025', asset: 'USD/2' } }) })]));
    expect((await sync()).attempts).toEqual([expect.objectContaining({ events: 0 })]);

    // A type change moves no money: no event.
    await env.sandbox.admin.advanceClock({ seconds: 60 });
    const retyped = await api('PUT', `/v1/accounts/${account.id}`, { body: '{"type":"checking"}', key: randomUUID() });
    expect(retyped.status).toBe(200);
    expect((retyped.json as AccountBody).account.type).toBe('checking');
    // A balance adjustment: one event.
    await env.sandbox.admin.advanceClock({ seconds: 60 });
    const adjusted = await api('PUT', `/v1/accounts/${account.id}`, { body: '{"balance":"6000"}', key: randomUUID() });
    expect((adjusted.json as AccountBody).account.balance).toEqual({ amount: '600000', asset: 'USD/2' });
    // A currency change: the USD position closes (zero) and the account reopens in EUR.
    await env.sandbox.admin.advanceClock({ seconds: 60 });
    const moved = await api('PUT', `/v1/accounts/${account.id}`, { body: '{"currency":"EUR","balance":5500.5}', key: randomUUID() });
    expect(moved.status).toBe(200);
    expect((moved.json as AccountBody).account.balance).toEqual({ amount: '550050', asset: 'EUR/2' });
    await expectEventually(() =>
      expect(balancesOf(account.id).map((event) => event.data.booked)).toEqual([
        { amount: '500025', asset: 'USD/2' },
        { amount: '600000', asset: 'USD/2' },
        { amount: '0', asset: 'USD/2' },
        { amount: '550050', asset: 'EUR/2' },
      ]),
    );
    // The movements travel on their own topic: collected in their own time.
    await expectEventually(() => {
      const movements = env.collector.of('transaction.posted').filter((event) => event.account.id === account.id);
      expect(movements.map((event) => [event.source, event.data.direction, event.data.amount])).toEqual([
        ['command', 'credit', { amount: '99975', asset: 'USD/2' }],
        ['command', 'debit', { amount: '600000', asset: 'USD/2' }],
        ['command', 'credit', { amount: '550050', asset: 'EUR/2' }],
      ]);
    });
    // The recheck of the last change (the closed USD position and the EUR one), then nothing.
    expect((await sync()).attempts).toEqual([expect.objectContaining({ events: 2 })]);
    expect((await sync()).attempts).toEqual([expect.objectContaining({ events: 0 })]);
    await expectEventually(async () => {
      const { data } = await ledger.get<{ data: Array<{ providerAccountKey: string; asset: string; booked: Money }> }>(`/v1/balances?provider=finx&asOf=${balancesOf(account.id).at(-1)?.data.asOf ?? ''}`);
      const rows = data.filter((row) => row.providerAccountKey === `finx:${account.id}`).map((row) => row.booked);
      expect(rows).toEqual(expect.arrayContaining([{ amount: '0', asset: 'USD/2' }, { amount: '550050', asset: 'EUR/2' }]));
      expect(await openDiscrepancies()).toEqual([]);
    });

    const deleteKey = randomUUID();
    const deleted = await api('DELETE', `/v1/accounts/${account.id}`, { body: '{"reason":"customer offboarded"}', key: deleteKey });
    expect(deleted).toMatchObject({ status: 200, json: { accountId: account.id, deleted: true } });
    expect((await api('DELETE', `/v1/accounts/${account.id}`, { body: '{"reason":"customer offboarded"}', key: deleteKey })).status).toBe(200);
    expect((await groundTruth()).find((entry) => entry.accountId === account.id)?.status).toBe('closed');
    await env.collector.waitFor('account.closed', 1);
    expect(env.collector.of('account.closed')).toEqual([
      expect.objectContaining({ source: 'command', account: expect.objectContaining({ id: account.id }), data: { closure: 'deleted', reason: 'customer offboarded' } }),
    ]);
    // Without the connector's key, a second delete is Fin X's 404.
    const again = await api('DELETE', `/v1/accounts/${account.id}`, { key: randomUUID() });
    expect(again).toMatchObject({ status: 422, json: { error: { code: 'provider_not_found' } } });
    expect((await sync()).attempts).toEqual([expect.objectContaining({ events: 0 })]);
    expect(env.collector.of('account.closed')).toHaveLength(1);
  });

  it('reports an account deleted at Fin X directly as account.closed on the next sync, once', async () => {
    const [victim] = (await groundTruth()).filter((entry) => entry.status === 'open');
    if (!victim) throw new Error('no open account');
    expect((await finx('DELETE', `/v1/accounts/${victim.accountId}`)).status).toBe(204);
    expect((await sync()).attempts).toEqual([expect.objectContaining({ outcome: 'completed', events: 1 })]);
    await env.collector.waitFor('account.closed', 2);
    expect(env.collector.of('account.closed')[1]).toMatchObject({ source: 'poll', account: { id: victim.accountId }, data: { closure: 'deleted' } });
    expect((await sync()).attempts).toEqual([expect.objectContaining({ events: 0 })]);
    await expectEventually(async () => {
      const { data } = await ledger.get<{ data: Array<{ providerAccountKey: string; closedAt: string | null }> }>('/v1/accounts?provider=finx&kind=provider_account&limit=100');
      expect(data.find((row) => row.providerAccountKey === `finx:${victim.accountId}`)?.closedAt).not.toBeNull();
    });
  });

  it('refuses a balance that cannot be represented exactly, before anything reaches Fin X', async () => {
    const accountsBefore = (await groundTruth()).length;
    const key = randomUUID();
    const inexact = await api('POST', '/v1/accounts', { body: '{"type":"savings","balance":10.005,"currency":"USD","ownerId":"owner-1"}', key });
    expect(inexact).toMatchObject({ status: 400 });
    const message = (inexact.json as { error: { code: string; message: string } }).error;
    expect(message.code).toBe('invalid_request');
    expect(message.message).toContain('10.005');
    expect(message.message).toContain('USD/2');
    // More digits than a JSON number carries exactly: refused rather than sent rounded.
    const huge = await api('POST', '/v1/accounts', { body: '{"type":"savings","balance":12345678901234567.25,"currency":"USD","ownerId":"owner-1"}', key });
    expect(huge.status).toBe(400);
    expect((huge.json as { error: { message: string } }).error.message).toContain('12345678901234567.25');
    // The key was not taken by the refusals: it still creates an account.
    const fine = await api('POST', '/v1/accounts', { body: '{"type":"savings","balance":10.01,"currency":"USD","ownerId":"owner-1"}', key });
    expect(fine.status).toBe(201);
    expect(await groundTruth()).toHaveLength(accountsBefore + 1);
  });
});
