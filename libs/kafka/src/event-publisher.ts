import type { Kafka, Message, Producer } from 'kafkajs';
import { toKafkaMessage, type FinmeshEvent } from '@finmesh/schemas';

export interface EventPublisherOptions {
  /** Prefixed to every topic (tests); empty in production. */
  topicPrefix?: string;
  /** How long the first queued message waits for others to share its send. */
  lingerMs?: number;
  /** A queue this long is sent at once, without waiting for the linger. */
  maxBatchSize?: number;
}

export interface PublishContext {
  traceparent?: string;
  tracestate?: string;
}

interface Pending {
  topic: string;
  message: Message;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/** An idempotent producer: no duplicates from its own retries, order kept per partition. */
export function createIdempotentProducer(kafka: Kafka): Producer {
  return kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
}

/**
 * Publishes finmesh events: each is validated against the contract (toKafkaMessage), keyed and
 * routed by the topic registry, and acknowledged by all in-sync replicas before its promise
 * resolves. Concurrent publishes are coalesced into one send per linger window, so a service
 * under load makes few large requests instead of many small ones.
 */
export class EventPublisher {
  private queue: Pending[] = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly lingerMs: number;
  private readonly maxBatchSize: number;

  constructor(
    private readonly producer: Producer,
    private readonly options: EventPublisherOptions = {},
  ) {
    this.lingerMs = options.lingerMs ?? 2;
    this.maxBatchSize = options.maxBatchSize ?? 1_000;
  }

  /** Resolves when every event is durably in Kafka; rejects if the send that carried them failed. */
  async publish(events: readonly FinmeshEvent[], context: PublishContext = {}): Promise<void> {
    if (events.length === 0) return;
    // Validation happens here, before queueing: an invalid event never reaches the broker.
    const messages = events.map((event) => toKafkaMessage(event, { topicPrefix: this.options.topicPrefix, ...context }));
    const delivered = messages.map(
      (message) =>
        new Promise<void>((resolve, reject) => {
          this.queue.push({
            topic: message.topic,
            message: { key: message.key, value: message.value, headers: message.headers },
            resolve,
            reject,
          });
        }),
    );
    this.schedule();
    await Promise.all(delivered);
  }

  /** Sends whatever is queued now. */
  async flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    const batch = this.queue;
    this.queue = [];
    if (batch.length === 0) return;
    const byTopic = new Map<string, Message[]>();
    for (const pending of batch) byTopic.set(pending.topic, [...(byTopic.get(pending.topic) ?? []), pending.message]);
    try {
      await this.producer.sendBatch({
        acks: -1,
        topicMessages: [...byTopic.entries()].map(([topic, messages]) => ({ topic, messages })),
      });
    } catch (error: unknown) {
      for (const pending of batch) pending.reject(error);
      return;
    }
    for (const pending of batch) pending.resolve();
  }

  private schedule(): void {
    if (this.queue.length >= this.maxBatchSize) {
      void this.flush();
      return;
    }
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, this.lingerMs);
  }
}
