// Integration test, real parts: the Kafka broker of this run (topics private to this suite).
import { Controller, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Ctx, EventPattern, Payload, type MicroserviceOptions } from '@nestjs/microservices';
import { expectEventually, testEnvironment, testTopicPrefix } from '@finmesh/testing';
import type { Admin, Consumer, Kafka, Producer } from 'kafkajs';
import { BatchConsumer, type BatchContext, type BatchHandler } from './batch-consumer';
import type { ConsumedRecord } from './consumed-record';
import { DEAD_LETTER_HEADERS, DeadLetterPublisher, deadLetterTopicOf } from './dead-letter';
import { createKafka } from './kafka-client';
import { KafkaBatchServer } from './nest/kafka-batch.server';
import { provisionTopics } from './topic-provisioning';
import { TransientError } from './transient-errors';

describe('BatchConsumer against the real broker', () => {
  const env = testEnvironment();
  const prefix = testTopicPrefix('batch-consumer');
  const kafka: Kafka = createKafka({ brokers: env.kafkaBrokers, clientId: 'batch-consumer-test' });
  let admin: Admin;
  let producer: Producer;
  const running: Array<{ stop(): Promise<void> }> = [];
  let topicCounter = 0;

  async function freshTopic(): Promise<string> {
    topicCounter += 1;
    const topic = `${prefix}events-${topicCounter}.v1`;
    await provisionTopics(admin, [
      { name: topic, partitions: 1, retentionMs: 3_600_000 },
      { name: deadLetterTopicOf(topic), partitions: 1, retentionMs: 3_600_000 },
    ]);
    return topic;
  }

  function startConsumer(topic: string, groupId: string, handler: BatchHandler, maxAttempts = 2): BatchConsumer {
    const consumer = new BatchConsumer({
      kafka,
      groupId,
      topics: [topic],
      handler,
      deadLetters: new DeadLetterPublisher(producer, groupId),
      maxAttempts,
      retryDelayMs: () => 20,
    });
    running.push(consumer);
    void consumer.start();
    return consumer;
  }

  async function readDeadLetters(topic: string): Promise<Array<{ value: string; headers: Record<string, string> }>> {
    const letters: Array<{ value: string; headers: Record<string, string> }> = [];
    const reader: Consumer = kafka.consumer({ groupId: `${prefix}dlq-reader-${topicCounter}-${Date.now()}` });
    running.push({ stop: () => reader.disconnect() });
    await reader.connect();
    await reader.subscribe({ topic: deadLetterTopicOf(topic), fromBeginning: true });
    await reader.run({
      eachMessage: ({ message }) => {
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(message.headers ?? {})) headers[k] = String(v);
        letters.push({ value: message.value?.toString() ?? '', headers });
        return Promise.resolve();
      },
    });
    return letters;
  }

  const values = (records: readonly ConsumedRecord[]): string[] => records.map((r) => r.value?.toString() ?? '');

  beforeAll(async () => {
    admin = kafka.admin();
    await admin.connect();
    producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
  });

  afterAll(async () => {
    for (const r of running.reverse()) await r.stop().catch(() => undefined);
    await producer.disconnect();
    await admin.disconnect();
  });

  it('dead-letters a poison message with its origin and reason, and processes the rest of the batch', async () => {
    const topic = await freshTopic();
    await producer.send({
      topic,
      acks: -1,
      messages: ['m1', 'm2', 'poison', 'm4', 'm5'].map((value) => ({ key: 'k', value, headers: { traceparent: 'tp' } })),
    });
    const committed: string[] = [];
    startConsumer(topic, `${prefix}g-poison`, (records) => {
      if (values(records).includes('poison')) return Promise.reject(new Error('ledger rule broken'));
      committed.push(...values(records));
      return Promise.resolve({});
    });

    await expectEventually(() => expect([...committed].sort()).toEqual(['m1', 'm2', 'm4', 'm5']));
    const letters = await readDeadLetters(topic);
    await expectEventually(() => expect(letters).toHaveLength(1));
    expect(letters[0]?.value).toBe('poison');
    expect(letters[0]?.headers).toMatchObject({
      traceparent: 'tp',
      [DEAD_LETTER_HEADERS.originTopic]: topic,
      [DEAD_LETTER_HEADERS.originPartition]: '0',
      [DEAD_LETTER_HEADERS.originOffset]: '2',
      [DEAD_LETTER_HEADERS.attempts]: '2',
    });
    expect(letters[0]?.headers[DEAD_LETTER_HEADERS.reason]).toMatch(/ledger rule broken/);
  });

  it('dead-letters what the handler rejects, without retrying', async () => {
    const topic = await freshTopic();
    await producer.send({ topic, acks: -1, messages: [{ value: 'good' }, { value: '{not json' }] });
    let calls = 0;
    startConsumer(topic, `${prefix}g-reject`, (records) => {
      calls += 1;
      return Promise.resolve({
        rejected: records.filter((r) => r.value?.toString() === '{not json').map((record) => ({ record, reason: 'invalid JSON' })),
      });
    });
    const letters = await readDeadLetters(topic);
    await expectEventually(() => expect(letters.map((l) => l.headers[DEAD_LETTER_HEADERS.reason])).toEqual(['invalid JSON']));
    expect(calls).toBe(1);
  });

  it('retries transient failures without dead-lettering, then commits', async () => {
    const topic = await freshTopic();
    await producer.send({ topic, acks: -1, messages: [{ value: 'a' }, { value: 'b' }] });
    let failures = 0;
    const done: string[] = [];
    startConsumer(topic, `${prefix}g-transient`, (records) => {
      if (failures < 5) {
        failures += 1;
        return Promise.reject(new TransientError('database unavailable'));
      }
      done.push(...values(records));
      return Promise.resolve({});
    });
    await expectEventually(() => expect(done).toEqual(['a', 'b']));
    expect(failures).toBe(5);
    const dlqOffsets = await admin.fetchTopicOffsets(deadLetterTopicOf(topic));
    expect(dlqOffsets.map((o) => o.high)).toEqual(['0']);
  });

  it('commits offsets only after the handler resolved: a stopped consumer redelivers unfinished work', async () => {
    const topic = await freshTopic();
    const groupId = `${prefix}g-commit`;
    await producer.send({ topic, acks: -1, messages: [{ value: 'first' }] });
    const seenByFirst: string[] = [];
    let release: (() => void) | undefined;
    const first = startConsumer(topic, groupId, (records) => {
      seenByFirst.push(...values(records));
      // Never finishes before the consumer stops: its work must not count as done.
      return new Promise((resolve) => {
        release = () => resolve({});
      });
    });
    await expectEventually(() => expect(seenByFirst).toEqual(['first']));
    const stopping = first.stop();
    release?.();
    await stopping;

    const seenBySecond: string[] = [];
    startConsumer(topic, groupId, (records) => {
      seenBySecond.push(...values(records));
      return Promise.resolve({});
    });
    await expectEventually(() => expect(seenBySecond).toEqual(['first']));
  });

  it('serves @EventPattern handlers through the NestJS transport strategy', async () => {
    const topic = await freshTopic();
    const base = topic.slice(prefix.length);
    const received: Array<{ values: string[]; partition: number }> = [];

    @Controller()
    class ProbeController {
      @EventPattern(base)
      handle(@Payload() records: ConsumedRecord[], @Ctx() context: BatchContext): Promise<{ rejected: [] }> {
        received.push({ values: values(records), partition: context.partition });
        return Promise.resolve({ rejected: [] });
      }
    }
    @Module({ controllers: [ProbeController] })
    class ProbeModule {}

    const app = await NestFactory.createMicroservice<MicroserviceOptions>(ProbeModule, {
      strategy: new KafkaBatchServer({ kafka, groupId: `${prefix}g-nest`, topicPrefix: prefix, retryDelayMs: () => 20 }),
      logger: false,
    });
    running.push({ stop: () => app.close() });
    await app.listen();
    await producer.send({ topic, acks: -1, messages: [{ value: 'x' }, { value: 'y' }] });
    await expectEventually(() => expect(received.flatMap((r) => r.values)).toEqual(['x', 'y']));
    expect(received[0]?.partition).toBe(0);
  });
});
