// Integration test, real parts: the Kafka broker provisioned by tools/testing for this run.
import { testEnvironment, testTopicPrefix, expectEventually } from '@finmesh/testing';
import type { Admin, Consumer, Producer } from 'kafkajs';
import { createKafka } from './kafka-client';
import { provisionTopics } from './topic-provisioning';

describe('Kafka round trip through the real broker', () => {
  const env = testEnvironment();
  const prefix = testTopicPrefix('kafka-roundtrip');
  const topic = `${prefix}plumbing.v1`;
  const kafka = createKafka({ brokers: env.kafkaBrokers, clientId: 'roundtrip-test' });
  let admin: Admin;
  let producer: Producer;
  const consumers: Consumer[] = [];

  beforeAll(async () => {
    admin = kafka.admin();
    await admin.connect();
    producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
  });

  afterAll(async () => {
    await Promise.all(consumers.map((c) => c.disconnect()));
    await producer.disconnect();
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.disconnect();
  });

  it('provisions topics idempotently', async () => {
    const first = await provisionTopics(admin, [{ name: topic, partitions: 3, retentionMs: 3_600_000 }]);
    expect(first.created).toEqual([topic]);
    const second = await provisionTopics(admin, [{ name: topic, partitions: 3, retentionMs: 3_600_000 }]);
    expect(second).toEqual({ created: [], existing: [topic] });
    const metadata = await admin.fetchTopicMetadata({ topics: [topic] });
    expect(metadata.topics[0]?.partitions).toHaveLength(3);
    await expect(
      provisionTopics(admin, [{ name: topic, partitions: 6, retentionMs: 3_600_000 }]),
    ).rejects.toThrow(/has 3 partitions but the registry asks for 6/);
  });

  it('delivers produced messages to a consumer group, in order per key, and resumes from committed offsets', async () => {
    const groupId = `${prefix}group`;
    const received: Array<{ key: string; value: string }> = [];
    const consumer = kafka.consumer({ groupId, sessionTimeout: 10_000, heartbeatInterval: 1_000 });
    consumers.push(consumer);
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: ({ message }) => {
        received.push({ key: message.key?.toString() ?? '', value: message.value?.toString() ?? '' });
        return Promise.resolve();
      },
    });

    const messages = ['a', 'b', 'c'].flatMap((key) =>
      [1, 2, 3].map((n) => ({ key, value: `${key}-${n}` })),
    );
    await producer.send({ topic, acks: -1, messages });

    await expectEventually(() => expect(received).toHaveLength(9));
    for (const key of ['a', 'b', 'c']) {
      expect(received.filter((m) => m.key === key).map((m) => m.value)).toEqual([`${key}-1`, `${key}-2`, `${key}-3`]);
    }

    // The group committed its offsets: a new member of the same group sees only new messages.
    await consumer.disconnect();
    consumers.splice(consumers.indexOf(consumer), 1);
    const later: string[] = [];
    const successor = kafka.consumer({ groupId, sessionTimeout: 10_000, heartbeatInterval: 1_000 });
    consumers.push(successor);
    await successor.connect();
    await successor.subscribe({ topic, fromBeginning: true });
    await successor.run({
      eachMessage: ({ message }) => {
        later.push(message.value?.toString() ?? '');
        return Promise.resolve();
      },
    });
    await producer.send({ topic, acks: -1, messages: [{ key: 'a', value: 'a-4' }] });
    await expectEventually(() => expect(later).toEqual(['a-4']));
  });
});
