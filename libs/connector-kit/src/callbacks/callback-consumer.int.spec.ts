// Integration test, real parts: the Kafka broker and PostgreSQL server of this run. The connector
// is a fake INDEXO connector whose translator reads a made-up callback body.
import { createIdempotentProducer, createKafka, DEAD_LETTER_HEADERS, DeadLetterPublisher, EventPublisher, provisionTopics } from '@finmesh/kafka';
import {
  accountRef,
  createEvent,
  dlqTopicName,
  moneyFromDecimal,
  parseConsumedEvent,
  TOPICS,
  topicName,
  topicSpecs,
  type CallbackReceivedEvent,
  type FinmeshEvent,
  type Provider,
} from '@finmesh/schemas';
import { createTestDatabase, expectEventually, testEnvironment, testTopicPrefix } from '@finmesh/testing';
import type { Consumer, Producer } from 'kafkajs';
import { Pool } from 'pg';
import type { DataSource } from 'typeorm';
import { z } from 'zod';
import { paymentInitiator, UntranslatableCallbackError, type CallbackTranslation } from '../contract/capabilities';
import { defineConnector } from '../contract/connector';
import { PaymentsService } from '../payments/payments-service';
import { ConnectorPublisher } from '../publishing/connector-publisher';
import { ResourceStore } from '../resources/resource-store';
import { openKitDatabase } from '../testing/kit-test-support';
import { CallbackConsumer } from './callback-consumer';

function callback(provider: Provider, key: string, body: Record<string, string>): CallbackReceivedEvent {
  const raw = JSON.stringify(body);
  return createEvent('callback.received', {
    provider,
    source: 'callback',
    occurredAt: '2026-03-01T12:00:00Z',
    observedAt: '2026-03-01T12:00:00Z',
    correlationId: `callback-${key}`,
    data: {
      callbackId: `cb-${key}`,
      sourceName: `${provider}-notifications`,
      idempotencyKey: key,
      receivedAt: '2026-03-01T12:00:00Z',
      contentType: 'application/json',
      headers: { 'content-type': 'application/json' },
      rawBodyBase64: Buffer.from(raw).toString('base64'),
      parsedBody: body,
      verification: { scheme: 'indexo-notification' },
    },
  });
}

/** The fake provider's callbacks: a balance notice, or a payment status. */
const bodySchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('balance'), account: z.string(), balance: z.string(), at: z.string() }),
  z.strictObject({ kind: z.literal('payment'), paymentId: z.string(), status: z.string(), at: z.string() }),
]);

function translate(event: CallbackReceivedEvent): Promise<CallbackTranslation> {
  const parsed = bodySchema.safeParse(event.data.parsedBody);
  if (!parsed.success) return Promise.reject(new UntranslatableCallbackError('not a balance or payment notice'));
  const body = parsed.data;
  if (body.kind === 'payment') {
    return Promise.resolve({
      events: [],
      paymentUpdates: [{ providerPaymentId: body.paymentId, observation: { rawStatus: { scheme: 'indexo.iso20022', code: body.status }, providerStatusVersion: body.at, occurredAt: body.at } }],
    });
  }
  const booked = moneyFromDecimal(body.balance, 'EUR/2');
  return Promise.resolve({
    events: [
      createEvent('balance.updated', {
        provider: 'indexo',
        source: 'callback',
        occurredAt: body.at,
        observedAt: event.observedAt,
        account: accountRef('indexo', body.account),
        correlationId: event.correlationId,
        data: { asset: 'EUR/2', booked, asOf: body.at },
      }),
    ],
  });
}

describe('callbacks through Kafka', () => {
  const env = testEnvironment();
  const prefix = testTopicPrefix('kit-callbacks');
  const kafka = createKafka({ brokers: env.kafkaBrokers, clientId: 'kit-callbacks-test' });
  let dataSource: DataSource;
  let pool: Pool;
  let producer: Producer;
  let reader: Consumer;
  let consumer: CallbackConsumer;
  let payments: PaymentsService;
  const seen: FinmeshEvent[] = [];
  const deadLetters: Array<{ reason: string; key: string }> = [];

  beforeAll(async () => {
    const url = await createTestDatabase('kit-callbacks');
    dataSource = await openKitDatabase(url);
    pool = new Pool({ connectionString: url, max: 4 });
    const admin = kafka.admin();
    await admin.connect();
    await provisionTopics(admin, topicSpecs(prefix));
    await admin.disconnect();
    producer = createIdempotentProducer(kafka);
    await producer.connect();
    const publisher = new ConnectorPublisher(new EventPublisher(producer, { topicPrefix: prefix }), 'indexo');
    const connector = defineConnector({
      name: 'indexo-test',
      provider: 'indexo',
      capabilities: ['initiate_payment', 'translate_callbacks'],
      handlers: {
        initiate_payment: paymentInitiator({
          requestSchema: z.strictObject({ amount: z.string() }),
          initiate: (request) =>
            Promise.resolve({
              providerPaymentId: 'pmt-1',
              accountId: 'LV01',
              amount: moneyFromDecimal(request.amount, 'EUR/2'),
              rawStatus: { scheme: 'indexo.iso20022', code: 'RCVD' },
              providerStatusVersion: '2026-03-01T11:00:00Z',
              occurredAt: '2026-03-01T11:00:00Z',
            }),
        }),
        translate_callbacks: { translate },
      },
    });
    payments = new PaymentsService({ connector, pool, publisher, resources: new ResourceStore(dataSource, connector.name), firstCheckAfterMs: 60_000 });
    consumer = new CallbackConsumer({
      connector,
      kafka,
      groupId: `${prefix}connector-callbacks`,
      topicPrefix: prefix,
      publisher,
      payments,
      deadLetters: new DeadLetterPublisher(producer, `${prefix}connector-callbacks`),
    });

    reader = kafka.consumer({ groupId: `${prefix}reader` });
    await reader.connect();
    const dlq = dlqTopicName(TOPICS['callback.received'].baseName, prefix);
    await reader.subscribe({
      topics: [topicName(TOPICS['balance.updated'].baseName, prefix), topicName(TOPICS['payment.status_changed'].baseName, prefix), dlq],
      fromBeginning: true,
    });
    await reader.run({
      eachMessage: ({ topic, message }) => {
        if (topic === dlq) deadLetters.push({ reason: String(message.headers?.[DEAD_LETTER_HEADERS.reason] ?? ''), key: String(message.key) });
        else seen.push(parseConsumedEvent(topic, message.value));
        return Promise.resolve();
      },
    });
  });

  afterAll(async () => {
    await consumer.stop();
    await reader.disconnect();
    await producer.disconnect();
    await pool.end();
    await dataSource.destroy();
  });

  it('translates this provider’s callbacks, skips the others, dead-letters what cannot be translated and applies payment updates', async () => {
    const { payment } = await payments.initiate({ idempotencyKey: 'cb-payment', body: { amount: '10.00' }, correlationId: 'cmd-1' });
    await consumer.start();
    const callbacks = [
      callback('indexo', 'n-1', { kind: 'balance', account: 'LV01', balance: '990.00', at: '2026-03-01T12:00:00Z' }),
      callback('findigi', 'n-2', { kind: 'balance', account: 'W1', balance: '5.00', at: '2026-03-01T12:00:00Z' }),
      callback('indexo', 'n-3', { something: 'else' }),
      callback('indexo', 'n-4', { kind: 'payment', paymentId: 'pmt-1', status: 'ACSC', at: '2026-03-01T12:05:00Z' }),
      // A duplicate delivery of the same status changes nothing.
      callback('indexo', 'n-5', { kind: 'payment', paymentId: 'pmt-1', status: 'ACSC', at: '2026-03-01T12:05:00Z' }),
      callback('indexo', 'n-6', { kind: 'balance', account: 'LV01', balance: '0.001', at: '2026-03-01T12:10:00Z' }),
    ];
    await new EventPublisher(producer, { topicPrefix: prefix }).publish(callbacks);

    await expectEventually(() => {
      expect(seen.filter((event) => event.type === 'balance.updated').map((event) => event.account.key)).toEqual(['indexo:LV01']);
      expect(seen.filter((event) => event.type === 'payment.status_changed').map((event) => (event.type === 'payment.status_changed' ? event.data.rawStatus.code : ''))).toEqual([
        'RCVD',
        'ACSC',
      ]);
      expect(deadLetters.map((letter) => letter.key).sort()).toEqual(['indexo:n-3', 'indexo:n-6']);
    }, { timeoutMs: 30_000 });
    expect(deadLetters.find((letter) => letter.key === 'indexo:n-3')?.reason).toMatch(/untranslatable callback: not a balance or payment notice/);
    expect(deadLetters.find((letter) => letter.key === 'indexo:n-6')?.reason).toMatch(/more decimals|precision/);
    const settled = await payments.get(payment.id);
    expect(settled).toMatchObject({ status: 'settled', terminal: true });
    expect(settled?.history.map((entry) => entry.source)).toEqual(['command', 'callback']);
  }, 60_000);
});
