// Integration test, real parts: the Kafka broker and PostgreSQL of this run; the whole ledger
// service (NestJS app, Kafka batch transport, outbox relay, HTTP API) in this process.
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createIdempotentProducer, createKafka, DEAD_LETTER_HEADERS, EventPublisher } from '@finmesh/kafka';
import { dlqTopicName, parseConsumedEvent, TOPICS, topicName, type FinmeshEvent } from '@finmesh/schemas';
import { createTestDatabase, expectEventually, freePort, testEnvironment, testTopicPrefix } from '@finmesh/testing';
import type { Consumer, Producer } from 'kafkajs';
import { loadLedgerConfig } from './config/ledger-config';
import { bootstrapLedger } from './ledger-app';
import { balanceEvent, paymentStatusEvent, transactionEvent } from './testing/ledger-fixtures';

describe('the ledger service end to end', () => {
  const env = testEnvironment();
  const prefix = testTopicPrefix('ledger-service');
  const kafka = createKafka({ brokers: env.kafkaBrokers, clientId: 'ledger-service-test' });
  let app: NestFastifyApplication;
  let producer: Producer;
  let publisher: EventPublisher;
  let reader: Consumer;
  let baseUrl: string;
  const dlq: Array<{ value: string; headers: Record<string, string> }> = [];
  const discrepancies: FinmeshEvent[] = [];

  const get = async <T>(path: string): Promise<{ status: number; body: T }> => {
    const response = await fetch(`${baseUrl}${path}`);
    return { status: response.status, body: (await response.json()) as T };
  };

  beforeAll(async () => {
    const port = await freePort();
    const config = loadLedgerConfig({
      DATABASE_URL: await createTestDatabase('ledger-service'),
      KAFKA_BROKERS: env.kafkaBrokers.join(','),
      KAFKA_TOPIC_PREFIX: prefix,
      KAFKA_PROVISION_TOPICS: 'true',
      LEDGER_CONSUMER_GROUP: `${prefix}ledger`,
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'silent',
    });
    app = await bootstrapLedger(config);
    baseUrl = `http://127.0.0.1:${port}`;
    producer = createIdempotentProducer(kafka);
    await producer.connect();
    publisher = new EventPublisher(producer, { topicPrefix: prefix });

    reader = kafka.consumer({ groupId: `${prefix}reader` });
    await reader.connect();
    const dlqTopic = dlqTopicName(TOPICS['transaction.posted'].baseName, prefix);
    const discrepancyTopic = topicName(TOPICS['ledger.discrepancy'].baseName, prefix);
    await reader.subscribe({ topics: [dlqTopic, discrepancyTopic], fromBeginning: true });
    await reader.run({
      eachMessage: ({ topic, message }) => {
        if (topic === dlqTopic) {
          const headers: Record<string, string> = {};
          for (const [name, value] of Object.entries(message.headers ?? {})) headers[name] = String(value);
          dlq.push({ value: message.value?.toString() ?? '', headers });
        } else {
          discrepancies.push(parseConsumedEvent(topic, message.value));
        }
        return Promise.resolve();
      },
    });
  });

  afterAll(async () => {
    await reader.disconnect();
    await producer.disconnect();
    await app.close();
  });

  it('books every event kind, dead-letters a poison message and keeps posting after it', async () => {
    await publisher.publish([balanceEvent('svc-a', '1000.00', '2026-01-01T00:00:00Z')]);
    await publisher.publish([
      transactionEvent('svc-a', 'svc-tx-1', '200.00', '2026-01-01T01:00:00Z', { fee: '2.00' }),
      paymentStatusEvent('svc-a', 'svc-pay', '50.00', 'RCVD', '2026-01-01T02:00:00Z'),
    ]);
    // A poison message on the same partition as the next booking.
    await producer.send({
      topic: topicName(TOPICS['transaction.posted'].baseName, prefix),
      acks: -1,
      messages: [{ key: 'indexo:svc-a', value: '{"type":"transaction.posted"' }],
    });
    await publisher.publish([
      paymentStatusEvent('svc-a', 'svc-pay', '50.00', 'ACSC', '2026-01-01T02:10:00Z', 'callback'),
      transactionEvent('svc-a', 'svc-tx-pay', '50.00', '2026-01-01T02:11:00Z', { direction: 'debit', paymentId: 'svc-pay' }),
    ]);

    await expectEventually(async () => {
      const { body } = await get<{ data: Array<{ booked: { amount: string }; held: { amount: string }; available: { amount: string } }> }>(
        '/v1/balances?account=indexo:svc-a',
      );
      expect(body.data).toEqual([
        expect.objectContaining({
          booked: { amount: '114800', asset: 'EUR/2' },
          held: { amount: '0', asset: 'EUR/2' },
          available: { amount: '114800', asset: 'EUR/2' },
        }),
      ]);
    });
    await expectEventually(() => expect(dlq).toHaveLength(1));
    expect(dlq[0]?.headers[DEAD_LETTER_HEADERS.reason]).toMatch(/JSON/i);

    // The two topics are consumed independently: the booking may come before any status (no hold
    // was ever taken) or after one (the hold was taken and released), and the balances above can
    // be right before the statuses have been read. Either way it ends settled with nothing held.
    await expectEventually(async () => {
      const payment = await get<{ status: string; holdState: string; history: unknown[] }>('/v1/payments/indexo:svc-pay');
      expect(payment.body.status).toBe('settled');
      expect(['released', 'none']).toContain(payment.body.holdState);
      expect(payment.body.history).toHaveLength(2);
    });
  });

  it('publishes a discrepancy when the provider balance disagrees, and lists it', async () => {
    await publisher.publish([balanceEvent('svc-a', '1200.00', '2026-01-02T00:00:00Z')]);
    await expectEventually(() => expect(discrepancies.map((d) => d.type)).toEqual(['ledger.discrepancy']));
    const listed = await get<{ data: Array<{ accountKey: string; status: string; difference: { amount: string } }> }>(
      '/v1/discrepancies?status=open',
    );
    expect(listed.body.data).toEqual([
      expect.objectContaining({ accountKey: 'indexo:svc-a', status: 'open', difference: { amount: '5200', asset: 'EUR/2' } }),
    ]);
  });

  it('pages journals with an opaque cursor and reverses a journal once', async () => {
    const first = await get<{ data: Array<{ id: string; kind: string }>; nextCursor: string | null }>('/v1/journals?limit=2');
    expect(first.body.data).toHaveLength(2);
    expect(first.body.nextCursor).not.toBeNull();
    const second = await get<{ data: Array<{ id: string }> }>(`/v1/journals?limit=2&cursor=${first.body.nextCursor ?? ''}`);
    expect(Number(second.body.data[0]?.id)).toBeGreaterThan(Number(first.body.data[1]?.id));

    const transaction = (await get<{ data: Array<{ id: string }> }>('/v1/journals?kind=transaction&limit=1')).body.data[0];
    const reverse = (): Promise<Response> =>
      fetch(`${baseUrl}/v1/journals/${transaction?.id ?? ''}/reversal`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ reason: 'booked on the wrong account' }),
      });
    expect((await reverse()).status).toBe(201);
    const again = await reverse();
    expect(again.status).toBe(409);
    expect(await again.json()).toEqual({ error: expect.objectContaining({ code: 'conflict' }) });
  });

  it('answers bad queries with clear JSON errors', async () => {
    const bad = await get<{ error: { code: string; details: Array<{ path: string }> } }>('/v1/accounts?limit=100000');
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('invalid_request');
    expect(bad.body.error.details[0]?.path).toBe('limit');
    expect((await get('/v1/journals/999999999')).status).toBe(404);
    expect((await get('/v1/accounts?cursor=not-a-cursor')).status).toBe(400);
  });

  it('serves its OpenAPI document, health and metrics', async () => {
    const openapi = await get<{ openapi: string; paths: Record<string, unknown> }>('/openapi.json');
    expect(openapi.body.openapi).toMatch(/^3\./);
    expect(Object.keys(openapi.body.paths)).toEqual(expect.arrayContaining(['/v1/balances', '/v1/journals/{id}/reversal']));
    expect((await fetch(`${baseUrl}/health/live`)).status).toBe(200);
    expect((await fetch(`${baseUrl}/health/ready`)).status).toBe(200);
    const metrics = await (await fetch(`${baseUrl}/metrics`)).text();
    expect(metrics).toMatch(/finmesh_ledger_events_total\{[^}]*outcome="applied"[^}]*\} [1-9]/);
  });
});
