import { ContractError } from './errors';
import { EVENT_SCHEMAS, type EventOfType, type EventType, type FinmeshEvent } from './events';

const DAY_MS = 24 * 60 * 60 * 1000;

export const DLQ_SUFFIX = '.dlq';
export const DLQ_PARTITIONS = 1;
export const DLQ_RETENTION_MS = 30 * DAY_MS;

export interface TopicDefinition<Type extends EventType = EventType> {
  /** Topic name without a prefix. */
  baseName: string;
  eventType: Type;
  schema: (typeof EVENT_SCHEMAS)[Type];
  partitions: number;
  retentionMs: number;
  /** What the Kafka message key is; ordering holds per key. */
  keyDescription: string;
  partitionKey(event: EventOfType<Type>): string;
}

type TopicRegistry = { readonly [Type in EventType]: TopicDefinition<Type> };
/** Any one topic definition, still tied to its own event type. */
export type AnyTopicDefinition = TopicRegistry[EventType];

/**
 * The one place naming every topic. Six partitions give the ledger and connectors room to scale
 * out per key; retention is longer than any consumer's plausible outage plus replay.
 * Adding partitions later remaps keys (and so breaks per-key ordering): change deliberately.
 */
export const TOPICS: TopicRegistry = {
  'balance.updated': {
    baseName: 'finmesh.balance-updated.v1',
    eventType: 'balance.updated',
    schema: EVENT_SCHEMAS['balance.updated'],
    partitions: 6,
    retentionMs: 7 * DAY_MS,
    keyDescription: 'account ref key `<provider>:<account id>`',
    partitionKey: (event) => event.account.key,
  },
  'transaction.posted': {
    baseName: 'finmesh.transaction-posted.v1',
    eventType: 'transaction.posted',
    schema: EVENT_SCHEMAS['transaction.posted'],
    partitions: 6,
    retentionMs: 30 * DAY_MS,
    keyDescription: 'account ref key `<provider>:<account id>`',
    partitionKey: (event) => event.account.key,
  },
  'payment.status_changed': {
    baseName: 'finmesh.payment-status-changed.v1',
    eventType: 'payment.status_changed',
    schema: EVENT_SCHEMAS['payment.status_changed'],
    partitions: 6,
    retentionMs: 30 * DAY_MS,
    keyDescription: 'payment ref key `<provider>:<payment id>`',
    partitionKey: (event) => event.payment.key,
  },
  'callback.received': {
    baseName: 'finmesh.callback-received.v1',
    eventType: 'callback.received',
    schema: EVENT_SCHEMAS['callback.received'],
    partitions: 6,
    retentionMs: 14 * DAY_MS,
    keyDescription: '`<provider>:<callback idempotency key>`',
    partitionKey: (event) => `${event.provider}:${event.data.idempotencyKey}`,
  },
  'ledger.discrepancy': {
    baseName: 'finmesh.ledger-discrepancy.v1',
    eventType: 'ledger.discrepancy',
    schema: EVENT_SCHEMAS['ledger.discrepancy'],
    partitions: 6,
    retentionMs: 30 * DAY_MS,
    keyDescription: 'account ref key `<provider>:<account id>`',
    partitionKey: (event) => event.account.key,
  },
  'account.closed': {
    baseName: 'finmesh.account-closed.v1',
    eventType: 'account.closed',
    schema: EVENT_SCHEMAS['account.closed'],
    partitions: 6,
    retentionMs: 30 * DAY_MS,
    keyDescription: 'account ref key `<provider>:<account id>`',
    partitionKey: (event) => event.account.key,
  },
};

export const TOPIC_DEFINITIONS: readonly AnyTopicDefinition[] = Object.values(TOPICS);

/** Kafka's own limits: these characters and at most 249 of them. */
const TOPIC_CHARACTERS = /^[A-Za-z0-9._-]*$/;
const MAX_TOPIC_NAME_LENGTH = 249;

/**
 * The topic's full name under an optional prefix (tests isolate themselves with prefixes such
 * as `t-<run>-<suite>-x.`; production uses none).
 */
export function topicName(baseName: string, prefix = ''): string {
  const name = `${prefix}${baseName}`;
  if (!TOPIC_CHARACTERS.test(name) || name.length === 0 || name.length > MAX_TOPIC_NAME_LENGTH) {
    throw new ContractError(
      'invalid_topic',
      `topic name ${JSON.stringify(name.slice(0, 300))} is not a Kafka topic name (letters, digits, ".", "_", "-"; 1..${MAX_TOPIC_NAME_LENGTH} characters)`,
    );
  }
  return name;
}

export function dlqTopicName(baseName: string, prefix = ''): string {
  return topicName(`${baseName}${DLQ_SUFFIX}`, prefix);
}

export function topicOfEventType(type: EventType, prefix = ''): string {
  return topicName(TOPICS[type].baseName, prefix);
}

export function topicOf(event: FinmeshEvent, prefix = ''): string {
  return topicOfEventType(event.type, prefix);
}

export function partitionKeyOf(event: FinmeshEvent): string {
  switch (event.type) {
    case 'balance.updated':
      return TOPICS[event.type].partitionKey(event);
    case 'transaction.posted':
      return TOPICS[event.type].partitionKey(event);
    case 'payment.status_changed':
      return TOPICS[event.type].partitionKey(event);
    case 'callback.received':
      return TOPICS[event.type].partitionKey(event);
    case 'ledger.discrepancy':
      return TOPICS[event.type].partitionKey(event);
    case 'account.closed':
      return TOPICS[event.type].partitionKey(event);
  }
}

export interface ResolvedTopic {
  definition: AnyTopicDefinition;
  prefix: string;
  isDeadLetter: boolean;
}

/** Finds which registry topic a (possibly prefixed, possibly DLQ) topic name is. */
export function resolveTopic(name: string): ResolvedTopic | undefined {
  for (const definition of TOPIC_DEFINITIONS) {
    for (const isDeadLetter of [false, true]) {
      const suffix = isDeadLetter ? `${definition.baseName}${DLQ_SUFFIX}` : definition.baseName;
      if (!name.endsWith(suffix)) continue;
      const prefix = name.slice(0, name.length - suffix.length);
      if (TOPIC_CHARACTERS.test(prefix)) return { definition, prefix, isDeadLetter };
    }
  }
  return undefined;
}

/** Shape accepted by @finmesh/kafka's provisionTopics. */
export interface TopicProvisioningSpec {
  name: string;
  partitions: number;
  retentionMs: number;
  config: Record<string, string>;
}

/** Every topic and its DLQ, ready to provision under a prefix. */
export function topicSpecs(prefix = ''): TopicProvisioningSpec[] {
  return TOPIC_DEFINITIONS.flatMap((definition) => [
    {
      name: topicName(definition.baseName, prefix),
      partitions: definition.partitions,
      retentionMs: definition.retentionMs,
      config: { 'cleanup.policy': 'delete' },
    },
    {
      name: dlqTopicName(definition.baseName, prefix),
      partitions: DLQ_PARTITIONS,
      retentionMs: DLQ_RETENTION_MS,
      config: { 'cleanup.policy': 'delete' },
    },
  ]);
}
