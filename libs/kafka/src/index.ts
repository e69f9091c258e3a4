export { createKafka, parseBrokerList } from './kafka-client';
export type { KafkaConnectionOptions } from './kafka-client';
export { provisionTopics } from './topic-provisioning';
export type { ProvisionResult, TopicSpec } from './topic-provisioning';
