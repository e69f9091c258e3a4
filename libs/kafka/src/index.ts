export { BatchConsumer, jitteredBackoff } from './batch-consumer';
export type {
  BatchConsumerLogger,
  BatchConsumerOptions,
  BatchContext,
  BatchHandler,
  BatchProcessedInfo,
  BatchResult,
  RejectedRecord,
} from './batch-consumer';
export { decodeHeaders, recordOrigin, toConsumedRecord } from './consumed-record';
export type { ConsumedRecord } from './consumed-record';
export { DEAD_LETTER_HEADERS, DeadLetterPublisher, deadLetterTopicOf, describeDeadLetter } from './dead-letter';
export type { DeadLetter } from './dead-letter';
export { createKafka, parseBrokerList } from './kafka-client';
export type { KafkaConnectionOptions } from './kafka-client';
export { KAFKA_BATCH_TRANSPORT, KafkaBatchServer } from './nest/kafka-batch.server';
export type { KafkaBatchServerOptions } from './nest/kafka-batch.server';
export { provisionRegistryTopics, provisionTopics } from './topic-provisioning';
export type { ProvisionResult, TopicSpec } from './topic-provisioning';
export { isTransientError, TransientError } from './transient-errors';
export { createIdempotentProducer, EventPublisher } from './event-publisher';
export type { EventPublisherOptions, PublishContext } from './event-publisher';
