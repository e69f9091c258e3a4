// Integration, real parts: the Kafka broker and PostgreSQL of this test run, the provider sandbox, the ingress and the ledger as separate processes; the connector runs in process.
import { createHash } from 'node:crypto';
import { createIdempotentProducer, createKafka, EventPublisher, provisionTopics } from '@finmesh/kafka';
import { createEvent, moneyFromDecimal, paymentRef, topicSpecs } from '@finmesh/schemas';
import { createTestDatabase, expectEventually, freePort, startAppProcess, startProviderSandbox, testEnvironment, testTopicPrefix, type AppProcess, type SandboxProcess } from '@finmesh/testing';
import type { Producer } from 'kafkajs';
import { Pool } from 'pg';
import { IndodaxClient } from './client';
import { loadIndodaxConfig } from './config';
import { bootstrapIndodaxConnector, type IndodaxConnectorApp } from './indodax-app';
import { currencyAccount } from './normalize';
import { PostgresNonceGate } from './nonce-gate';
import { clientOrderIdOf, requestIdOf } from './payments';

// The sandbox's key is the documented example pair.
const API_KEY = 'AEDHIGAT-QATEGWOX-OPCSCPQX-2E00B1L7-VJBXXKMA';
const SECRET_KEY = 'f60617a68fcce028f0a90bc9eb765d17379eb548cc935c01a7ee3186eecf870e9b68f27a31bcfe8d';
const FAR_FUTURE = '2100-01-01T00:00:00Z';

jest.setTimeout(120_000);

/** The kit's provider idempotency key for an Idempotency-Key (libs/connector-kit payments-service). */
function providerKeyOf(idempotencyKey: string): string {
  return `finmesh-${createHash('sha256').update(`indodax\n${idempotencyKey}`).digest('hex').slice(0, 40)}`;
}

describe('connector-indodax against the sandbox, with the ingress and the ledger', () => {
  const env = testEnvironment();
  const prefix = testTopicPrefix('connector-indodax');
  const services: AppProcess[] = [];
  let sandbox: SandboxProcess;
  let connector: IndodaxConnectorApp;
  let connectorDb: string;
  let pool: Pool;
  let producer: Producer;
  let ledgerUrl: string;
  let ingressUrl: string;
  let connectorEnv: Record<string, string>;

  const startService = async (app: 'ledger' | 'ingress', extraEnv: Record<string, string>): Promise<string> => {
    const service = await startAppProcess(app, { env: { KAFKA_BROKERS: env.kafkaBrokers.join(','), KAFKA_TOPIC_PREFIX: prefix, ...extraEnv } });
    services.push(service);
    return service.url;
  };

  const getJson = async <T>(url: string): Promise<T> => {
    const response = await fetch(url);
    if (!response.ok) throw new Error(`GET ${url}: HTTP ${response.status} ${await response.text()}`);
    return (await response.json()) as T;
  };

  const post = async (path: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: Record<string, unknown> }> => {
    const response = await fetch(`${connector.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  const syncAll = async (): Promise<void> => {
    const result = await post('/v1/sync', { resources: ['balances', 'transactions'] });
    expect(result.status).toBe(200);
    const attempts = result.body['attempts'] as Array<{ outcome: string; error?: string }>;
    expect(attempts.map((attempt) => attempt.error ?? attempt.outcome)).toEqual(['completed', 'completed']);
  };

  /** The ledger's booked balance per Indodax currency equals the sandbox's ground truth. */
  const expectLedgerMatchesGroundTruth = async (): Promise<void> => {
    const truth = await sandbox.admin.groundTruth('indodax', { transactions: false });
    const expected = Object.fromEntries(truth.map((account) => [`indodax:${account.accountId}`, account.balance]));
    await expectEventually(
      async () => {
        const { data } = await getJson<{ data: Array<{ providerAccountKey: string | null; booked: { amount: string; asset: string } }> }>(
          `${ledgerUrl}/v1/balances?provider=indodax&asOf=${FAR_FUTURE}`,
        );
        expect(Object.fromEntries(data.map((row) => [row.providerAccountKey, row.booked]))).toEqual(expected);
      },
      { timeoutMs: 30_000 },
    );
  };

  const testClient = (options: { maxRetries?: number; tradeBlockMs?: number; observer?: ConstructorParameters<typeof IndodaxClient>[0]['observer'] } = {}): { client: IndodaxClient; close: () => Promise<void> } => {
    const clientPool = new Pool({ connectionString: connectorDb, max: 2 });
    const client = new IndodaxClient({
      baseUrl: sandbox.baseUrls['indodax'] ?? '',
      apiKey: API_KEY,
      secretKey: SECRET_KEY,
      nonces: new PostgresNonceGate(clientPool),
      limits: { tradePerSecond: 20, cancelPerSecond: 30, tradeBlockMs: options.tradeBlockMs ?? 5_000, windowMarginMs: 200 },
      retry: { maxRetries: options.maxRetries ?? 4, initialDelayMs: 50, maxDelayMs: 500 },
      ...(options.observer === undefined ? {} : { observer: options.observer }),
    });
    return {
      client,
      close: async () => {
        await client.close();
        await clientPool.end();
      },
    };
  };

  beforeAll(async () => {
    const kafka = createKafka({ brokers: env.kafkaBrokers, clientId: 'connector-indodax-test' });
    const admin = kafka.admin();
    await admin.connect();
    await provisionTopics(admin, topicSpecs(prefix));
    await admin.disconnect();
    producer = createIdempotentProducer(kafka);
    await producer.connect();

    const [ledgerDb, ingressDb] = await Promise.all([createTestDatabase('indodax-ledger'), createTestDatabase('indodax-ingress')]);
    connectorDb = await createTestDatabase('indodax-connector');
    pool = new Pool({ connectionString: connectorDb, max: 2 });
    sandbox = await startProviderSandbox({ seed: 'connector-indodax' });

    [ledgerUrl, ingressUrl] = await Promise.all([
      startService('ledger', { DATABASE_URL: ledgerDb, LEDGER_CONSUMER_GROUP: `${prefix}ledger` }),
      startService('ingress', { DATABASE_URL: ingressDb, INGRESS_CONSUMER_GROUP: `${prefix}ingress` }),
    ]);
    await sandbox.admin.call('PUT', '/indodax/callback-url', { url: `${ingressUrl}/callbacks/indodax/withdrawals` });

    connectorEnv = {
        KAFKA_BROKERS: env.kafkaBrokers.join(','),
        KAFKA_TOPIC_PREFIX: prefix,
        DATABASE_URL: connectorDb,
        PORT: String(await freePort()),
        HOST: '127.0.0.1',
        LOG_LEVEL: 'error',
        SYNC_ENABLED: 'false',
        PAYMENTS_POLL_INTERVAL_MS: '250',
        CALLBACKS_CONSUMER_GROUP: `${prefix}indodax-callbacks`,
        INDODAX_BASE_URL: sandbox.baseUrls['indodax'] ?? '',
        INDODAX_API_KEY: API_KEY,
        INDODAX_SECRET_KEY: SECRET_KEY,
    };
    connector = await bootstrapIndodaxConnector(loadIndodaxConfig(connectorEnv));
  });

  afterAll(async () => {
    await connector?.close();
    await Promise.all(services.map((service) => service.stop()));
    await sandbox?.stop();
    await producer?.disconnect();
    await pool?.end();
  });

  it('syncs balances, deposits, withdrawals and fills so that the ledger matches the ground truth', async () => {
    await syncAll();
    await expectLedgerMatchesGroundTruth();
    const { data: orders } = await getJson<{ data: Array<{ parentId: string; data: { status: string } }> }>(`${connector.url}/v1/orders?limit=1000`);
    expect(orders.length).toBeGreaterThan(0);
    expect(orders.every((order) => order.data.status === 'filled')).toBe(true);
  });

  it('places an order once for one Idempotency-Key, also when the request comes twice at once', async () => {
    // Indodax times are whole seconds: move past the second of the opening balances, which contain everything up to it.
    await sandbox.admin.advanceClock({ seconds: 2 });
    const key = `order-${Date.now()}`;
    const order = { type: 'limit_order', pair: 'btc_idr', side: 'buy', price: '1000000', amount: '0.0001' };
    const [first, second] = await Promise.all([post('/v1/payments', order, { 'idempotency-key': key }), post('/v1/payments', order, { 'idempotency-key': key })]);
    expect([first.status, second.status].sort()).toEqual([200, 201]);
    expect(first.body['id']).toBe(second.body['id']);
    expect(first.body['status']).toBe('accepted');
    const again = await post('/v1/payments', order, { 'idempotency-key': key });
    expect(again.status).toBe(200);

    const { client, close } = testClient();
    try {
      const clientOrderId = clientOrderIdOf(providerKeyOf(key));
      const history = await client.orderHistory({ pair: 'btc_idr' });
      expect(history.filter((entry) => entry.client_order_id === clientOrderId)).toHaveLength(1);
      expect((await client.getOrderByClientOrderId(clientOrderId)).order_id).toBe(first.body['providerPaymentId']);
    } finally {
      await close();
    }

    // A market buy fills at once: its two legs and fee reach the ledger, still equal to the ground truth.
    const market = await post('/v1/payments', { type: 'market_order', pair: 'eth_idr', side: 'buy', quoteAmount: '250000' }, { 'idempotency-key': `${key}-market` });
    expect(market.status).toBe(201);
    expect(market.body['status']).toBe('settled');
    const cancel = await post('/v1/payments', { type: 'cancel_order', pair: 'btc_idr', orderId: first.body['providerPaymentId'], side: 'buy' }, { 'idempotency-key': `${key}-cancel` });
    expect(cancel.status).toBe(201);
    expect(cancel.body['status']).toBe('cancelled');
    await syncAll();
    await expectLedgerMatchesGroundTruth();
  });

  it('sends a withdrawal the ingress verifies, follows it to completed and books it once', async () => {
    const key = `withdraw-${Date.now()}`;
    const answer = await post('/v1/payments', { type: 'withdrawal', currency: 'btc', address: '1BoatSLRHtKNngkdXEeobR76b53LETtpyT', amount: '0.001' }, { 'idempotency-key': key });
    expect(answer.status).toBe(201);
    expect(answer.body['status']).toBe('accepted');
    const requestId = requestIdOf(providerKeyOf(key));
    expect(answer.body['providerPaymentId']).toBe(requestId);

    await sandbox.admin.advanceClock({ seconds: 61 });
    await expectEventually(async () => {
      const view = await getJson<{ status: string; terminal: boolean }>(`${connector.url}/v1/payments/${String(answer.body['id'])}`);
      expect(view).toMatchObject({ status: 'settled', terminal: true });
    });
    await syncAll();
    const paymentKey = paymentRef('indodax', requestId).key;
    await expectEventually(async () => {
      const payment = await getJson<{ status: string; holdState: string; settledTransactionId: string | null }>(`${ledgerUrl}/v1/payments/${paymentKey}`);
      expect(payment.status).toBe('settled');
      expect(payment.settledTransactionId).not.toBeNull();
      expect(['released', 'none']).toContain(payment.holdState);
      const journals = await getJson<{ data: Array<{ kind: string }> }>(`${ledgerUrl}/v1/journals?paymentKey=${encodeURIComponent(paymentKey)}&kind=transaction`);
      expect(journals.data).toHaveLength(1);
    });
    await expectLedgerMatchesGroundTruth();
  });

  it('ends a withdrawal rejected when the ingress refuses its verification callback', async () => {
    const key = `withdraw-refused-${Date.now()}`;
    const requestId = requestIdOf(providerKeyOf(key));
    // Someone announced this request_id with another address first: the ingress must never confirm it.
    const amount = moneyFromDecimal('0.002', 'BTC/8');
    await new EventPublisher(producer, { topicPrefix: prefix }).publish([
      createEvent('payment.status_changed', {
        provider: 'indodax',
        source: 'command',
        occurredAt: new Date().toISOString(),
        observedAt: new Date().toISOString(),
        account: currencyAccount('btc'),
        payment: paymentRef('indodax', requestId),
        correlationId: 'conflicting-announcement',
        data: {
          amount,
          status: 'accepted',
          rawStatus: { scheme: 'indodax.withdraw', code: 'approved' },
          withdrawal: { requestId, currency: 'btc', address: '1AttackerAddressXXXXXXXXXXXXXXXXXX', amount: '0.00200000' },
        },
      }),
    ]);
    const answer = await post('/v1/payments', { type: 'withdrawal', currency: 'btc', address: '1BoatSLRHtKNngkdXEeobR76b53LETtpyT', amount: '0.002' }, { 'idempotency-key': key });
    expect(answer.status).toBe(422);
    expect(JSON.stringify(answer.body)).toContain('callback_rejected');
    await expectEventually(async () => {
      const payment = await getJson<{ status: string; holdState: string }>(`${ledgerUrl}/v1/payments/${paymentRef('indodax', requestId).key}`);
      expect(payment.status).toBe('failed');
      expect(['released', 'none']).toContain(payment.holdState);
    });
    await syncAll();
    await expectLedgerMatchesGroundTruth();
  });

  it('adopts a withdrawal Indodax booked after the answer timed out, instead of sending it twice', async () => {
    // A replica that gives up on an answer after 1.5 s; Indodax answers this withdrawCoin only after 4 s (it still books it).
    const impatient = await bootstrapIndodaxConnector(loadIndodaxConfig({ ...connectorEnv, PORT: String(await freePort()), PROVIDER_RESPONSE_TIMEOUT_MS: '1500' }));
    const address = '1AdoptAdoptAdoptAdoptAdoptAdopt7x';
    const key = `withdraw-timeout-${Date.now()}`;
    const body = { type: 'withdrawal', currency: 'btc', address, amount: '0.0013' };
    const send = async (): Promise<{ status: number; body: Record<string, unknown> }> => {
      const response = await fetch(`${impatient.url}/v1/payments`, { method: 'POST', headers: { 'content-type': 'application/json', 'idempotency-key': key }, body: JSON.stringify(body) });
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    };
    const withdrawalsTo = async (): Promise<number> => {
      const { client, close } = testClient();
      try {
        const today = new Date(Date.parse((await sandbox.admin.clock()).now) + 7 * 3_600_000).toISOString().slice(0, 10);
        const yesterday = new Date(Date.parse(today) - 86_400_000).toISOString().slice(0, 10);
        const history = await client.transHistory({ start: yesterday, end: today });
        return (history.withdraw['btc'] ?? []).filter((entry) => entry.address === address).length;
      } finally {
        await close();
      }
    };
    try {
      await sandbox.admin.addFault({ provider: 'indodax', kind: 'latency', operation: 'withdrawCoin', count: 1, latencyMs: 4_000 });
      const first = await send();
      expect(first.status).toBeGreaterThanOrEqual(500);
      // Indodax went ahead (its verification call was answered ok, so it booked the withdrawal), with no answer that reached finmesh.
      // Watched on the admin API: a TAPI call meanwhile would spend a higher nonce than the held withdrawCoin's.
      const requestId = requestIdOf(providerKeyOf(key));
      await expectEventually(
        async () => {
          const { callbacks } = await sandbox.admin.call<{ callbacks: Array<{ body: string; attempts: Array<{ responseBody?: string }> }> }>('GET', '/callbacks?provider=indodax');
          const verification = callbacks.find((callback) => callback.body.includes(`request_id=${requestId}&`));
          expect(verification?.attempts.some((attempt) => attempt.responseBody === 'ok')).toBe(true);
        },
        { timeoutMs: 15_000, intervalMs: 250 },
      );
      expect(await withdrawalsTo()).toBe(1);

      const retried = await send();
      expect(retried.status).toBe(201);
      // Adopted from transHistory, where the withdrawal is already `pending` at Indodax.
      expect(retried.body).toMatchObject({ status: 'processing', providerPaymentId: requestId });
      expect(await withdrawalsTo()).toBe(1);

      await sandbox.admin.advanceClock({ seconds: 61 });
      await expectEventually(async () => {
        const view = await getJson<{ status: string }>(`${impatient.url}/v1/payments/${String(retried.body['id'])}`);
        expect(view.status).toBe('settled');
      });
      await syncAll();
      await expectLedgerMatchesGroundTruth();
    } finally {
      await sandbox.admin.clearFaults('indodax');
      await impatient.close();
    }
  }, 90_000);

  it('keeps a burst of trade requests within 20 per second per pair and waits out an injected 429 block', async () => {
    const sent: number[] = [];
    const outcomes: string[] = [];
    const { client, close } = testClient({
      observer: {
        requestCompleted: (info) => {
          if (info.method !== 'trade') return;
          sent.push(Date.now() - info.durationMs);
          outcomes.push(info.outcome);
        },
      },
    });
    try {
      await sandbox.admin.addFault({ provider: 'indodax', kind: 'rate_limit', operation: 'trade', count: 1, status: 429, retryAfterSeconds: 5 });
      const results = await Promise.all(
        Array.from({ length: 45 }, (_, index) => client.trade({ pair: 'usdt_idr', type: 'buy', orderType: 'limit', price: '1000', baseAmount: '0.01', clientOrderId: `burst-${Date.now()}-${index}` })),
      );
      expect(new Set(results.map((result) => result.order_id)).size).toBe(45);
      // One 429, the injected one; the sandbox's own limiter never fired.
      expect(outcomes.filter((outcome) => outcome === 'rate_limited')).toHaveLength(1);
      const blockedAt = sent[outcomes.indexOf('rate_limited')] ?? 0;
      const after = sent.filter((at, index) => index > outcomes.indexOf('rate_limited') && at > blockedAt);
      expect(Math.min(...after) - blockedAt).toBeGreaterThanOrEqual(4_900);
    } finally {
      await close();
    }
  });

  it('never reuses a nonce across restarts and concurrent replicas', async () => {
    const readCounter = async (): Promise<bigint> => {
      const { rows } = await pool.query<{ value: string }>(`SELECT value::text AS value FROM signing_nonce_counter WHERE scope = 'indodax-issued' AND api_key = $1`, [API_KEY]);
      return BigInt(rows[0]?.value ?? '0');
    };
    const before = await readCounter();
    // Without retries a reused or out-of-order nonce would fail the call (invalid_nonce).
    const first = testClient({ maxRetries: 0 });
    await first.client.getInfo();
    await first.close();
    const [replicaA, replicaB] = [testClient({ maxRetries: 0 }), testClient({ maxRetries: 0 })];
    await Promise.all([...Array.from({ length: 8 }, () => replicaA.client.getInfo()), ...Array.from({ length: 8 }, () => replicaB.client.getInfo())]);
    await Promise.all([replicaA.close(), replicaB.close()]);

    // The connector itself, restarted, goes on above every nonce issued before.
    await connector.close();
    connector = await bootstrapIndodaxConnector(loadIndodaxConfig(connectorEnv));
    await syncAll();
    expect(await readCounter()).toBeGreaterThan(before + 17n);
  });
});

