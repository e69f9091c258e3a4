import { Server, type CustomTransportStrategy } from '@nestjs/microservices';
import { lastValueFrom } from 'rxjs';
import type { Kafka, Producer } from 'kafkajs';
import { BatchConsumer, type BatchConsumerOptions, type BatchContext, type BatchResult } from '../batch-consumer';
import type { ConsumedRecord } from '../consumed-record';
import { DeadLetterPublisher } from '../dead-letter';

export const KAFKA_BATCH_TRANSPORT = Symbol('finmesh-kafka-batch');

export interface KafkaBatchServerOptions
  extends Omit<BatchConsumerOptions, 'kafka' | 'topics' | 'handler' | 'deadLetters'> {
  kafka: Kafka;
  /** Prefixed to every `@EventPattern` topic when subscribing (tests isolate themselves with it). */
  topicPrefix?: string;
}

/**
 * A NestJS transport strategy for batch consumption, which @nestjs/microservices' own Kafka server
 * does not offer (it hands over one message at a time). Each `@EventPattern('<topic>')` handler
 * receives `(records: ConsumedRecord[], context: BatchContext)` for one partition's batch and
 * returns a `BatchResult`; offsets are committed after it resolves, rejected records go to the DLQ.
 */
export class KafkaBatchServer extends Server implements CustomTransportStrategy {
  override readonly transportId = KAFKA_BATCH_TRANSPORT;
  private consumer: BatchConsumer | undefined;
  private producer: Producer | undefined;

  constructor(private readonly options: KafkaBatchServerOptions) {
    super();
  }

  async listen(callback: (error?: unknown) => void): Promise<void> {
    try {
      const prefix = this.options.topicPrefix ?? '';
      const patterns = [...this.getHandlers().keys()];
      if (patterns.length === 0) throw new Error('KafkaBatchServer: no @EventPattern handlers are registered');
      this.producer = this.options.kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
      await this.producer.connect();
      this.consumer = new BatchConsumer({
        ...this.options,
        topics: patterns.map((pattern) => `${prefix}${pattern}`),
        deadLetters: new DeadLetterPublisher(this.producer, this.options.groupId),
        handler: (records, context) => this.dispatch(records, context, prefix),
      });
      await this.consumer.start();
      callback();
    } catch (error: unknown) {
      callback(error);
    }
  }

  async close(): Promise<void> {
    await this.consumer?.stop();
    await this.producer?.disconnect();
    this.consumer = undefined;
    this.producer = undefined;
  }

  on(): never {
    throw new Error('KafkaBatchServer does not emit transport events');
  }

  unwrap<T>(): T {
    if (!this.consumer) throw new Error('KafkaBatchServer is not listening');
    return this.consumer as T;
  }

  private async dispatch(records: readonly ConsumedRecord[], context: BatchContext, prefix: string): Promise<BatchResult | undefined> {
    const pattern = context.topic.startsWith(prefix) ? context.topic.slice(prefix.length) : context.topic;
    const handler = this.getHandlerByPattern(pattern);
    if (!handler) throw new Error(`KafkaBatchServer: no handler for topic ${context.topic}`);
    const result: unknown = await lastValueFrom(this.transformToObservable(await handler(records, context)), {
      defaultValue: undefined,
    });
    return result as BatchResult | undefined;
  }
}
