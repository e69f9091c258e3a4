import type { Kafka, Message, Producer } from 'kafkajs';
import { toKafkaMessage, type FinmeshEvent } from '@finmesh/schemas';

export interface EventPublisherOptions {
  /** Prefixed to every topic (tests); empty in production. */
  topicPrefix?: string;
  /** How long the first queued message waits for others to share its send. */
  lingerMs?: number;
  /** A queue this long is sent at once, without waiting for the linger. */
  maxBatchSize?: number;
  /**
   * At most this many sends at once (unlimited by default). Messages queued while every send is
   * in flight share the next one, sent as soon as a send completes. An idempotent producer takes
   * one produce request per broker at a time anyway (createIdempotentProducer): with 1 here,
   * its messages travel in fewer, larger requests instead of queueing as many small ones.
   */
  maxConcurrentSends?: number;
}

export interface PublishContext {
  traceparent?: string;
  tracestate?: string;
}

/** The messages of one publish() call, settled together. */
interface Pending {
  messages: ReadonlyArray<{ topic: string; message: Message }>;
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
  private queuedMessages = 0;
  private timer: NodeJS.Timeout | undefined;
  /** The linger ran out while every send slot was busy: send as soon as one frees up. */
  private due = false;
  private sending = 0;
  private readonly lingerMs: number;
  private readonly maxBatchSize: number;
  private readonly maxConcurrentSends: number;

  constructor(
    private readonly producer: Producer,
    private readonly options: EventPublisherOptions = {},
  ) {
    this.lingerMs = options.lingerMs ?? 2;
    this.maxBatchSize = options.maxBatchSize ?? 1_000;
    this.maxConcurrentSends = options.maxConcurrentSends ?? Infinity;
  }

  /** Resolves when every event is durably in Kafka; rejects if the send that carried them failed. */
  async publish(events: readonly FinmeshEvent[], context: PublishContext = {}): Promise<void> {
    if (events.length === 0) return;
    // Validation happens here, before queueing: an invalid event never reaches the broker.
    const messages = events.map((event) => {
      const message = toKafkaMessage(event, { topicPrefix: this.options.topicPrefix, ...context });
      return { topic: message.topic, message: { key: message.key, value: message.value, headers: message.headers } };
    });
    await new Promise<void>((resolve, reject) => {
      this.queue.push({ messages, resolve, reject });
      this.queuedMessages += messages.length;
      this.schedule();
    });
  }

  /** Sends what is queued now (up to maxBatchSize messages, whatever is in flight); the rest follows. */
  async flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    let taken = 0;
    let size = 0;
    while (taken < this.queue.length && (taken === 0 || size + (this.queue[taken]?.messages.length ?? 0) <= this.maxBatchSize)) {
      size += this.queue[taken]?.messages.length ?? 0;
      taken += 1;
    }
    const batch = this.queue.splice(0, taken);
    this.queuedMessages -= size;
    // What stays queued has waited its linger too: it goes as soon as a slot is free.
    this.due = this.queue.length > 0;
    if (batch.length === 0) return;
    const byTopic = new Map<string, Message[]>();
    for (const pending of batch) {
      for (const { topic, message } of pending.messages) {
        const messages = byTopic.get(topic);
        if (messages === undefined) byTopic.set(topic, [message]);
        else messages.push(message);
      }
    }
    this.sending += 1;
    if (this.queue.length > 0) this.sendIfSlotFree();
    try {
      await this.producer.sendBatch({
        acks: -1,
        topicMessages: [...byTopic.entries()].map(([topic, messages]) => ({ topic, messages })),
      });
    } catch (error: unknown) {
      for (const pending of batch) pending.reject(error);
      return;
    } finally {
      this.sending -= 1;
      this.afterSend();
    }
    for (const pending of batch) pending.resolve();
  }

  private schedule(): void {
    if (this.queuedMessages >= this.maxBatchSize) {
      this.sendIfSlotFree();
      return;
    }
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      this.due = true;
      this.sendIfSlotFree();
    }, this.lingerMs);
  }

  private sendIfSlotFree(): void {
    if (this.sending < this.maxConcurrentSends) void this.flush();
    else this.due = true;
  }

  /** A slot freed up: send what waited for it. */
  private afterSend(): void {
    if (this.queue.length > 0 && (this.due || this.queuedMessages >= this.maxBatchSize)) this.sendIfSlotFree();
  }
}
