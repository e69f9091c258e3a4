// Integration test, real parts: the Kafka broker of this run (topics private to this suite).
import { EXAMPLE_EVENTS, EVENT_HEADERS, parseConsumedEvent, topicSpecs, type FinmeshEvent } from '@finmesh/schemas';
import { expectEventually, testEnvironment, testTopicPrefix } from '@finmesh/testing';
import type { Admin, Consumer, Producer } from 'kafkajs';
import { createIdempotentProducer, EventPublisher } from './event-publisher';
import { createKafka } from './kafka-client';
import { provisionTopics } from './topic-provisioning';

describe('EventPublisher against the real broker', () => {
  const env = testEnvironment();
  const prefix = testTopicPrefix('event-publisher');
  const kafka = createKafka({ brokers: env.kafkaBrokers, clientId: 'event-publisher-test' });
  let admin: Admin;
  let producer: Producer;
  let consumer: Consumer;
  const received: Array<{ topic: string; key: string; headers: Record<string, string>; event: FinmeshEvent }> = [];

  beforeAll(async () => {
    admin = kafka.admin();
    await admin.connect();
    await provisionTopics(admin, topicSpecs(prefix));
    producer = createIdempotentProducer(kafka);
    await producer.connect();
    consumer = kafka.consumer({ groupId: `${prefix}reader` });
    await consumer.connect();
    await consumer.subscribe({ topics: topicSpecs(prefix).map((t) => t.name), fromBeginning: true });
    await consumer.run({
      eachMessage: ({ topic, message }) => {
        const headers: Record<string, string> = {};
        for (const [name, value] of Object.entries(message.headers ?? {})) headers[name] = String(value);
        received.push({ topic, key: message.key?.toString() ?? '', headers, event: parseConsumedEvent(topic, message.value) });
        return Promise.resolve();
      },
    });
  });

  afterAll(async () => {
    await consumer.disconnect();
    await producer.disconnect();
    await admin.disconnect();
  });

  it('publishes validated events to their registry topic, keyed by their ref, with trace headers', async () => {
    const publisher = new EventPublisher(producer, { topicPrefix: prefix, lingerMs: 5 });
    const balance = EXAMPLE_EVENTS['balance.updated'];
    const payment = EXAMPLE_EVENTS['payment.status_changed'];
    const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    // Concurrent publishes share one send; each promise resolves only once the broker acknowledged.
    await Promise.all([publisher.publish([balance], { traceparent }), publisher.publish([payment], { traceparent })]);

    await expectEventually(() => expect(received).toHaveLength(2));
    const byType = new Map(received.map((r) => [r.event.type, r]));
    expect(byType.get('balance.updated')).toMatchObject({
      topic: `${prefix}finmesh.balance-updated.v1`,
      key: balance.account.key,
      event: balance,
    });
    expect(byType.get('payment.status_changed')).toMatchObject({
      topic: `${prefix}finmesh.payment-status-changed.v1`,
      key: payment.payment.key,
    });
    expect(byType.get('balance.updated')?.headers[EVENT_HEADERS.traceparent]).toBe(traceparent);
  });

  it('refuses an invalid event before anything is sent', async () => {
    const publisher = new EventPublisher(producer, { topicPrefix: prefix });
    const tampered = { ...EXAMPLE_EVENTS['balance.updated'], id: '00000000-0000-8000-8000-000000000001' };
    const before = received.length;
    await expect(publisher.publish([tampered])).rejects.toThrow(/deterministic id/);
    const offsets = await admin.fetchTopicOffsets(`${prefix}finmesh.balance-updated.v1`);
    expect(offsets.reduce((sum, o) => sum + Number(o.high), 0)).toBe(1);
    expect(received.length).toBe(before);
  });

  it('rejects the publish when the broker cannot take it', async () => {
    const publisher = new EventPublisher(producer, { topicPrefix: `${prefix}missing-` });
    await expect(publisher.publish([EXAMPLE_EVENTS['transaction.posted']])).rejects.toThrow();
  });
});
