import { parseConsumedEvent, TOPICS, topicName, type EventType, type FinmeshEvent } from '@finmesh/schemas';
// kafkajs directly: libs/kafka's own tests use this library, so it cannot depend on libs/kafka.
import { Kafka, logLevel, type Consumer } from 'kafkajs';
import { expectEventually } from './expect-eventually';

/**
 * Reads every event of the given types on a suite's topics from the beginning, validating each
 * against the contract as any consumer would, so a test sees exactly what the services see.
 */
export class EventCollector {
  readonly events: FinmeshEvent[] = [];
  private constructor(private readonly consumer: Consumer) {}

  static async start(brokers: string[], prefix: string, types: readonly EventType[]): Promise<EventCollector> {
    const topics = types.map((type) => topicName(TOPICS[type].baseName, prefix));
    await untilServed(brokers, prefix, topics);
    const consumer = new Kafka({ brokers, clientId: `${prefix}collector`, logLevel: logLevel.ERROR }).consumer({ groupId: `${prefix}collector`, maxWaitTimeInMs: 100 });
    const collector = new EventCollector(consumer);
    await consumer.connect();
    await consumer.subscribe({ topics, fromBeginning: true });
    await consumer.run({
      eachMessage: ({ topic, message }) => {
        collector.events.push(parseConsumedEvent(topic, message.value));
        return Promise.resolve();
      },
    });
    return collector;
  }

  of<Type extends FinmeshEvent['type']>(type: Type): Array<Extract<FinmeshEvent, { type: Type }>> {
    return this.events.filter((event): event is Extract<FinmeshEvent, { type: Type }> => event.type === type);
  }

  /** Waits until at least `count` events arrived (Kafka delivers asynchronously). */
  async waitForCount(count: number, timeoutMs = 30_000): Promise<void> {
    await expectEventually(() => expect(this.events.length).toBeGreaterThanOrEqual(count), { timeoutMs, intervalMs: 50 });
  }

  /** Waits until at least `count` events of one type arrived. */
  async waitFor(type: FinmeshEvent['type'], count: number, timeoutMs = 30_000): Promise<void> {
    await expectEventually(() => expect(this.of(type).length).toBeGreaterThanOrEqual(count), { timeoutMs, intervalMs: 50 });
  }

  stop(): Promise<void> {
    return this.consumer.disconnect();
  }
}

/**
 * Waits until the broker answers offset requests for every partition of the topics. Right after a
 * suite creates its topics the broker may not lead them yet; a consumer started then retries on
 * its own but logs each "not the leader" answer as an error into the test output.
 */
async function untilServed(brokers: string[], prefix: string, topics: readonly string[]): Promise<void> {
  const admin = new Kafka({ brokers, clientId: `${prefix}collector-probe`, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    for (const topic of topics) await expectEventually(() => admin.fetchTopicOffsets(topic), { timeoutMs: 30_000, intervalMs: 100 });
  } finally {
    await admin.disconnect();
  }
}
