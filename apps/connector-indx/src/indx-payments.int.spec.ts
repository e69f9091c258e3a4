// Integration test, real parts: the Kafka broker and PostgreSQL of this run, the provider sandbox
// as a separate process (its clock moved through the admin API), and the INDX connector service
// in this process with its HTTP API.
import type { ConnectorApp, PaymentView } from '@finmesh/connector-kit';
import type { PaymentStatusChangedEvent } from '@finmesh/schemas';
import { expectEventually, type GroundTruthAccount } from '@finmesh/testing';
import { bootstrapIndxConnector } from './indx-app';
import { startIndxTestEnvironment, type IndxTestEnvironment } from './testing/indx-test-env';

interface Answer<T> {
  status: number;
  headers: Headers;
  body: T;
}

describe('INDX payments through POST /v1/payments', () => {
  let env: IndxTestEnvironment;
  let connector: ConnectorApp;
  let usd: GroundTruthAccount;
  let usd2: GroundTruthAccount;

  const post = async <T = PaymentView>(key: string | undefined, body: unknown): Promise<Answer<T>> => {
    const response = await fetch(`${connector.url}/v1/payments`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(key === undefined ? {} : { 'idempotency-key': key }) },
      body: JSON.stringify(body),
    });
    return { status: response.status, headers: response.headers, body: (await response.json()) as T };
  };
  const payment = async (id: string): Promise<PaymentView> => (await (await fetch(`${connector.url}/v1/payments/${id}`)).json()) as PaymentView;
  const statusEventsOf = (providerPaymentId: string): PaymentStatusChangedEvent[] =>
    env.collector.of('payment.status_changed').filter((event) => event.payment.id === providerPaymentId);
  const waitForStatus = async (id: string, status: string, changes: number): Promise<PaymentView> =>
    expectEventually(async () => {
      const view = await payment(id);
      expect(view.status).toBe(status);
      expect(view.history).toHaveLength(changes);
      return view;
    });
  const wire = (overrides: Record<string, string> = {}): Record<string, string> => ({
    type: 'wire_transfer',
    accountId: usd.accountId,
    externalAccountId: 'ext_1',
    amount: '100.00',
    currency: 'USD',
    reference: 'INV-2026-001',
    ...overrides,
  });

  beforeAll(async () => {
    env = await startIndxTestEnvironment('indx-payments', { size: 'small' });
    connector = await bootstrapIndxConnector(await env.config());
    const truth = await env.sandbox.admin.groundTruth('indx', { transactions: false });
    const usdAccounts = truth.filter((account) => account.asset === 'USD/2');
    const [first, second] = usdAccounts;
    if (!first || !second) throw new Error('the small sandbox has two USD accounts');
    usd = first;
    usd2 = second;
    await connector.runtime.engine.syncNow();
  });

  afterAll(async () => {
    await connector.app.close();
    await env.stop();
  });

  it('follows a wire transfer to its final status with an event per change, and its booking carries the payment', async () => {
    const created = await post('wire-1', wire());
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      state: 'initiated',
      status: 'accepted',
      rawStatus: { scheme: 'indx.transfer', code: 'pending' },
      amount: { amount: '10000', asset: 'USD/2' },
      account: { key: `indx:${usd.accountId}` },
    });
    const wireId = created.body.providerPaymentId ?? '';
    expect(wireId).toMatch(/^wire_/);

    // While the wire is pending its entries are not booked: the transactions sync publishes nothing for it.
    await connector.runtime.engine.syncNow(['transactions']);

    await env.sandbox.admin.advanceClock({ seconds: 30 });
    await waitForStatus(created.body.id, 'processing', 2);
    await env.sandbox.admin.advanceClock({ seconds: 270 });
    const settled = await waitForStatus(created.body.id, 'settled', 3);
    expect(settled.terminal).toBe(true);
    expect(settled.history.map((entry) => [entry.rawStatus.code, entry.status, entry.source])).toEqual([
      ['pending', 'accepted', 'command'],
      ['processing', 'processing', 'poll'],
      ['completed', 'settled', 'poll'],
    ]);
    await expectEventually(() =>
      expect(statusEventsOf(wireId).map((event) => [event.data.status, event.data.previousStatus ?? null])).toEqual([
        ['accepted', null],
        ['processing', 'accepted'],
        ['settled', 'processing'],
      ]),
    );

    const before = env.collector.events.length;
    const sync = await connector.runtime.engine.syncNow(['transactions']);
    await env.collector.waitForCount(before + (sync.attempts[0]?.events ?? 0));
    const entries = env.collector.of('transaction.posted').filter((event) => event.data.bookedAt === settled.history[2]?.occurredAt);
    const debit = entries.find((event) => event.data.kind === 'withdrawal');
    const fee = entries.find((event) => event.data.kind === 'fee');
    expect(debit).toMatchObject({ payment: { key: `indx:${wireId}` }, data: { direction: 'debit', amount: { amount: '10000', asset: 'USD/2' } } });
    expect(fee).toMatchObject({ data: { direction: 'debit', amount: { amount: '1500' }, fee: { amount: '1500' } } });
    expect(fee?.payment).toBeUndefined();
  });

  it('reports a wire the beneficiary bank returns as failed, with the reason, and books nothing for it', async () => {
    const created = await post('wire-returned', wire({ externalAccountId: 'ext_3', amount: '42.00', reference: 'INV-2026-002' }));
    expect(created.status).toBe(201);
    await env.sandbox.admin.advanceClock({ seconds: 30 });
    await waitForStatus(created.body.id, 'processing', 2);
    await env.sandbox.admin.advanceClock({ seconds: 270 });
    const failed = await waitForStatus(created.body.id, 'failed', 3);
    expect(failed.history[2]?.reason).toMatch(/Returned by the beneficiary bank/);
    const sync = await connector.runtime.engine.syncNow(['transactions']);
    expect(sync.attempts[0]?.outcome).toBe('completed');
    const events = env.collector.of('transaction.posted').filter((event) => event.payment?.id === created.body.providerPaymentId);
    expect(events).toEqual([]);
  });

  it('moves money between two INDX accounts with an account transfer', async () => {
    const created = await post('transfer-1', { type: 'account_transfer', fromAccountId: usd.accountId, toAccountId: usd2.accountId, amount: '25.5', currency: 'USD' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ status: 'accepted', amount: { amount: '2550', asset: 'USD/2' } });
    await env.sandbox.admin.advanceClock({ seconds: 10 });
    await waitForStatus(created.body.id, 'settled', 2);
    const before = env.collector.events.length;
    const sync = await connector.runtime.engine.syncNow(['transactions']);
    await env.collector.waitForCount(before + (sync.attempts[0]?.events ?? 0));
    const transfer = env.collector.of('transaction.posted').filter((event) => event.data.kind === 'transfer' && event.data.amount.amount === '2550');
    expect(transfer.map((event) => [event.account.id, event.data.direction, event.payment?.id ?? null]).sort()).toEqual(
      [
        [usd.accountId, 'debit', created.body.providerPaymentId],
        [usd2.accountId, 'credit', null],
      ].sort(),
    );
  });

  it('answers the same key and body with the same payment, another body with 409, and concurrent requests with one payment', async () => {
    const first = await post('wire-idem', wire({ amount: '7.00' }));
    const again = await post('wire-idem', { ...wire({ amount: '7.00' }) });
    expect(again.status).toBe(200);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body.id).toBe(first.body.id);
    const conflict = await post<{ error: { code: string } }>('wire-idem', wire({ amount: '8.00' }));
    expect(conflict.status).toBe(409);
    expect(conflict.body.error.code).toBe('idempotency_conflict');

    const wiresBefore = await wireCount();
    const concurrent = await Promise.all(Array.from({ length: 6 }, () => post('wire-concurrent', wire({ amount: '3.00' }))));
    expect(new Set(concurrent.map((answer) => answer.body.id)).size).toBe(1);
    expect(concurrent.map((answer) => answer.status).sort()).toEqual([200, 200, 200, 200, 200, 201]);
    expect(await wireCount()).toBe(wiresBefore + 1);
  });

  it('refuses what cannot be a payment before or at INDX, with the reason', async () => {
    const noKey = await post<{ error: { code: string } }>(undefined, wire());
    expect(noKey.status).toBe(400);
    expect(noKey.body.error.code).toBe('idempotency_key_required');
    const tooPrecise = await post<{ error: { code: string; details: Array<{ path: string }> } }>('bad-1', wire({ amount: '1.001' }));
    expect(tooPrecise.status).toBe(400);
    expect(tooPrecise.body.error).toMatchObject({ code: 'invalid_request', details: [{ path: 'amount' }] });
    const unknownExternal = await post<{ error: { code: string } }>('bad-2', wire({ externalAccountId: 'ext_9' }));
    expect(unknownExternal.status).toBe(422);
    expect(unknownExternal.body.error.code).toBe('provider_not_found');
    const tooMuch = await post<{ error: { code: string; message: string } }>('bad-3', wire({ amount: '999999999.00' }));
    expect(tooMuch.status).toBe(422);
    expect(tooMuch.body.error).toMatchObject({ code: 'provider_refused', message: expect.stringMatching(/insufficient_funds/) });
    // The refusal is the key's answer from now on.
    expect((await post('bad-3', wire({ amount: '999999999.00' }))).status).toBe(422);
    expect((await fetch(`${connector.url}/v1/payments/00000000-0000-4000-8000-000000000000`)).status).toBe(404);
  });

  /** Wires the sandbox has, counted by the wire ids on its book entries. */
  async function wireCount(): Promise<number> {
    const truth = await env.sandbox.admin.groundTruth('indx');
    const ids = new Set(truth.flatMap((account) => (account.transactions ?? []).map((tx) => tx.references['wireTransferId']).filter((id) => id !== undefined)));
    return ids.size;
  }
});
