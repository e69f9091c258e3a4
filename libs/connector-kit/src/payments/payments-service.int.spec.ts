// Integration test, real parts: the PostgreSQL server of this run (payment records, row locks,
// status history). The provider is a fake initiator and poller, Kafka an in-memory sink.
import { moneyFromDecimal, type PaymentStatusChangedEvent } from '@finmesh/schemas';
import { createTestDatabase } from '@finmesh/testing';
import { Pool } from 'pg';
import type { DataSource } from 'typeorm';
import { z } from 'zod';
import { ConnectorApiError } from '../api/connector-api-error';
import { paymentInitiator, type InitiateContext, type InitiatedPayment, type PaymentObservation } from '../contract/capabilities';
import { defineConnector } from '../contract/connector';
import { UpstreamError } from '../errors/upstream-error';
import { ResourceStore } from '../resources/resource-store';
import { MemorySink, openKitDatabase } from '../testing/kit-test-support';
import { PaymentTracker } from './payment-tracker';
import { PaymentsService } from './payments-service';

const requestSchema = z.strictObject({ accountId: z.string().min(1), amount: z.string().regex(/^\d+\.\d{2}$/), currency: z.literal('EUR') });
type Request = z.infer<typeof requestSchema>;

/** A provider that numbers its payments and whose status the test sets. */
class FakeBank {
  calls: Array<{ request: Request; key: string }> = [];
  statuses = new Map<string, PaymentObservation>();
  failNext: Error | undefined;
  delayMs = 0;
  private created = 0;

  async initiate(request: Request, context: InitiateContext): Promise<InitiatedPayment> {
    this.calls.push({ request, key: context.providerIdempotencyKey });
    if (this.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.delayMs));
    if (this.failNext) {
      const error = this.failNext;
      this.failNext = undefined;
      throw error;
    }
    this.created += 1;
    const id = `pay-${this.created}`;
    const observation: PaymentObservation = { rawStatus: { scheme: 'indexo.iso20022', code: 'RCVD' }, providerStatusVersion: '1', occurredAt: '2026-02-01T10:00:00Z' };
    this.statuses.set(id, observation);
    return { ...observation, providerPaymentId: id, accountId: request.accountId, amount: moneyFromDecimal(request.amount, 'EUR/2') };
  }

  set(id: string, code: string, version: string): void {
    this.statuses.set(id, { rawStatus: { scheme: 'indexo.iso20022', code }, providerStatusVersion: version, occurredAt: `2026-02-01T10:0${version}:00Z` });
  }
}

describe('payments with PostgreSQL', () => {
  let dataSource: DataSource;
  let pool: Pool;
  const bank = new FakeBank();
  const sink = new MemorySink();
  let service: PaymentsService;
  let tracker: PaymentTracker;
  const body = { accountId: 'LV01', amount: '125.50', currency: 'EUR' };

  const initiate = (key: string | undefined, payload: unknown = body): ReturnType<PaymentsService['initiate']> =>
    service.initiate({ idempotencyKey: key, body: payload, correlationId: 'test-correlation' });
  const statusEvents = (): PaymentStatusChangedEvent[] => sink.events.filter((event): event is PaymentStatusChangedEvent => event.type === 'payment.status_changed');

  beforeAll(async () => {
    const url = await createTestDatabase('kit-payments');
    dataSource = await openKitDatabase(url);
    // Fewer connections than concurrent requests: waiting on a row lock must never exhaust the pool.
    pool = new Pool({ connectionString: url, max: 3 });
    const connector = defineConnector({
      name: 'bank',
      provider: 'indexo',
      capabilities: ['initiate_payment', 'poll_payment_status'],
      handlers: {
        initiate_payment: paymentInitiator({ requestSchema, initiate: (request, context) => bank.initiate(request, context) }),
        poll_payment_status: {
          poll: (payment) => {
            const status = bank.statuses.get(payment.providerPaymentId);
            return status ? Promise.resolve(status) : Promise.reject(new Error('unknown payment'));
          },
        },
      },
    });
    service = new PaymentsService({ connector, pool, publisher: sink, resources: new ResourceStore(dataSource, 'bank'), firstCheckAfterMs: 0 });
    tracker = new PaymentTracker({ connector, payments: service, pollIntervalMs: 0 });
  });

  beforeEach(() => {
    bank.calls = [];
    sink.events.length = 0;
    sink.failWith = undefined;
  });

  afterAll(async () => {
    await tracker.stop();
    await pool.end();
    await dataSource.destroy();
  });

  it('creates one payment per key, answers a repeat with the same payment, and publishes its first status once', async () => {
    const first = await initiate('key-same');
    expect(first.replayed).toBe(false);
    expect(first.payment).toMatchObject({
      state: 'initiated',
      providerPaymentId: 'pay-1',
      payment: { provider: 'indexo', id: 'pay-1', key: 'indexo:pay-1' },
      account: { key: 'indexo:LV01' },
      amount: { amount: '12550', asset: 'EUR/2' },
      status: 'initiated',
      rawStatus: { scheme: 'indexo.iso20022', code: 'RCVD' },
    });
    // Key order and spacing do not make another request.
    const again = await initiate('key-same', { currency: 'EUR', amount: '125.50', accountId: 'LV01' });
    expect(again.replayed).toBe(true);
    expect(again.payment.id).toBe(first.payment.id);
    expect(bank.calls).toHaveLength(1);
    expect(statusEvents().map((event) => [event.source, event.data.status, event.correlationId])).toEqual([['command', 'initiated', 'test-correlation']]);
  });

  it('refuses the same key with another body (409), a missing key and an invalid body (400)', async () => {
    await initiate('key-conflict');
    await expect(initiate('key-conflict', { ...body, amount: '1.00' })).rejects.toMatchObject({ code: 'idempotency_conflict', status: 409 });
    await expect(initiate(undefined)).rejects.toMatchObject({ code: 'idempotency_key_required', status: 400 });
    const invalid = await initiate('key-invalid', { ...body, amount: 12.5 }).catch((error: unknown) => error);
    expect(invalid).toBeInstanceOf(ConnectorApiError);
    expect(invalid).toMatchObject({ code: 'invalid_request', details: [expect.objectContaining({ path: 'amount' })] });
    // Nothing was kept for the invalid body: the key still works with a valid one.
    await expect(initiate('key-invalid')).resolves.toMatchObject({ replayed: false });
  });

  it('makes one payment of concurrent requests with one key', async () => {
    bank.delayMs = 100;
    const results = await Promise.all(Array.from({ length: 8 }, () => initiate('key-concurrent')));
    bank.delayMs = 0;
    expect(new Set(results.map((result) => result.payment.id)).size).toBe(1);
    expect(results.filter((result) => !result.replayed)).toHaveLength(1);
    expect(bank.calls).toHaveLength(1);
  });

  it('keeps a refusal for its key, and lets a retryable failure be retried with the same provider key', async () => {
    bank.failNext = new UpstreamError('invalid_request', 'bank: insufficient funds', { provider: 'indexo', endpoint: 'payments.create', httpStatus: 422 });
    await expect(initiate('key-refused')).rejects.toMatchObject({ code: 'provider_refused', status: 422 });
    await expect(initiate('key-refused')).rejects.toMatchObject({ code: 'provider_refused', details: { replayed: true } });
    expect(bank.calls).toHaveLength(1);

    bank.failNext = new UpstreamError('timeout', 'bank: no answer', { provider: 'indexo', endpoint: 'payments.create' });
    await expect(initiate('key-timeout')).rejects.toMatchObject({ code: 'provider_timeout', status: 504 });
    const retried = await initiate('key-timeout');
    expect(retried.replayed).toBe(false);
    expect(bank.calls.slice(1).map((call) => call.key)).toEqual([bank.calls[1]?.key, bank.calls[1]?.key]);
  });

  it('follows a payment to its final status with one event per change, never backwards', async () => {
    const { payment } = await initiate('key-lifecycle');
    const id = payment.providerPaymentId ?? '';
    bank.set(id, 'ACTC', '2');
    await tracker.checkDue();
    await tracker.checkDue(); // unchanged: nothing new
    bank.set(id, 'ACCP', '3'); // another raw code of the same normalized status
    await tracker.checkDue();
    bank.set(id, 'ACSP', '4');
    await tracker.checkDue();
    bank.set(id, 'ACSC', '5');
    await tracker.checkDue();
    bank.set(id, 'ACSP', '6');
    await tracker.checkDue(); // terminal: no longer polled

    // A late callback with an older status, and one with a contradicting outcome.
    expect(await service.observeByProviderId(id, { rawStatus: { scheme: 'indexo.iso20022', code: 'ACTC' }, providerStatusVersion: '2b', occurredAt: '2026-02-01T10:02:30Z' }, 'callback')).toBe('published');
    expect(await service.observeByProviderId(id, { rawStatus: { scheme: 'indexo.iso20022', code: 'RJCT' }, providerStatusVersion: '7', occurredAt: '2026-02-01T10:07:00Z' }, 'callback')).toBe('published');
    expect(await service.observeByProviderId(id, { rawStatus: { scheme: 'indexo.iso20022', code: 'RJCT' }, providerStatusVersion: '7', occurredAt: '2026-02-01T10:07:00Z' }, 'callback')).toBe('already-known');
    expect(await service.observeByProviderId('nobody', { rawStatus: { scheme: 'indexo.iso20022', code: 'RJCT' }, occurredAt: '2026-02-01T10:07:00Z' }, 'callback')).toBe('unknown-payment');

    expect(statusEvents().map((event) => [event.data.rawStatus.code, event.data.status, event.data.previousStatus ?? null, event.source])).toEqual([
      ['RCVD', 'initiated', null, 'command'],
      ['ACTC', 'accepted', 'initiated', 'poll'],
      ['ACCP', 'accepted', 'accepted', 'poll'],
      ['ACSP', 'processing', 'accepted', 'poll'],
      ['ACSC', 'settled', 'processing', 'poll'],
      ['ACTC', 'accepted', 'settled', 'callback'],
      ['RJCT', 'rejected', 'settled', 'callback'],
    ]);
    const view = await service.get(payment.id);
    expect(view).toMatchObject({ status: 'settled', terminal: true, rawStatus: { code: 'ACSC' } });
    expect(view?.history.map((entry) => entry.decision)).toEqual(['apply', 'apply', 'same', 'apply', 'apply', 'ignore-stale', 'invalid']);
  });

  it('records a payment while Kafka is down and publishes its status once the tracker gets through', async () => {
    sink.failWith = new Error('KafkaJSConnectionError: broker down');
    const { payment } = await initiate('key-kafka-down');
    expect(payment.state).toBe('initiated');
    expect(payment.status).toBeUndefined();
    await expect(tracker.checkDue()).resolves.toBeGreaterThanOrEqual(1);
    expect((await service.get(payment.id))?.status).toBeUndefined();
    sink.failWith = undefined;
    // The failed check pushed the next one out; make it due now.
    await pool.query(`UPDATE connector_payments SET next_check_at = now() - interval '1 second' WHERE id = $1`, [payment.id]);
    await tracker.checkDue();
    expect((await service.get(payment.id))?.status).toBe('initiated');
    expect(statusEvents().map((event) => event.payment.id)).toEqual([payment.providerPaymentId]);
  });

  it('answers unknown ids with nothing', async () => {
    await expect(service.get('00000000-0000-4000-8000-000000000000')).resolves.toBeUndefined();
    await expect(service.get('not-a-uuid')).resolves.toBeUndefined();
  });
});
