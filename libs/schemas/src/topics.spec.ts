import { ContractError } from './errors';
import { EVENT_SCHEMAS, EVENT_TYPES } from './events';
import { EXAMPLE_EVENTS } from './examples';
import {
  DLQ_PARTITIONS,
  DLQ_RETENTION_MS,
  dlqTopicName,
  partitionKeyOf,
  resolveTopic,
  TOPIC_DEFINITIONS,
  topicName,
  topicOf,
  topicOfEventType,
  TOPICS,
  topicSpecs,
} from './topics';

const DAY_MS = 86_400_000;

describe('topic registry', () => {
  it('names every topic once, versioned', () => {
    expect(Object.fromEntries(EVENT_TYPES.map((type) => [type, TOPICS[type].baseName]))).toEqual({
      'balance.updated': 'finmesh.balance-updated.v1',
      'transaction.posted': 'finmesh.transaction-posted.v1',
      'payment.status_changed': 'finmesh.payment-status-changed.v1',
      'callback.received': 'finmesh.callback-received.v1',
      'ledger.discrepancy': 'finmesh.ledger-discrepancy.v1',
      'account.closed': 'finmesh.account-closed.v1',
    });
    expect(new Set(TOPIC_DEFINITIONS.map((topic) => topic.baseName)).size).toBe(EVENT_TYPES.length);
  });

  it('ties each topic to its event type and schema, with partitions and retention', () => {
    for (const type of EVENT_TYPES) {
      expect(TOPICS[type].eventType).toBe(type);
      expect(TOPICS[type].schema).toBe(EVENT_SCHEMAS[type]);
      expect(TOPICS[type].partitions).toBe(6);
      expect(TOPICS[type].retentionMs).toBeGreaterThanOrEqual(7 * DAY_MS);
    }
    expect(DLQ_PARTITIONS).toBe(1);
    expect(DLQ_RETENTION_MS).toBe(30 * DAY_MS);
  });

  it('keys each event by its documented partition key', () => {
    expect(partitionKeyOf(EXAMPLE_EVENTS['balance.updated'])).toBe('indx:acc_7Hq2Lm');
    expect(partitionKeyOf(EXAMPLE_EVENTS['transaction.posted'])).toBe('indexo:LV62IDXO1001010002370');
    expect(partitionKeyOf(EXAMPLE_EVENTS['payment.status_changed'])).toBe('indodax:fm7f3c2a9b41d');
    expect(partitionKeyOf(EXAMPLE_EVENTS['callback.received'])).toBe('indodax:fm7f3c2a9b41d');
    expect(partitionKeyOf(EXAMPLE_EVENTS['ledger.discrepancy'])).toBe('indx:acc_7Hq2Lm');
    expect(partitionKeyOf(EXAMPLE_EVENTS['account.closed'])).toBe('finx:xgQQXg3hrtjh7AvZ');
    // A payment's status and the transaction that settles it may sit on different keys; the
    // account-keyed topics keep one account in order.
    for (const type of ['balance.updated', 'transaction.posted', 'ledger.discrepancy', 'account.closed'] as const) {
      expect(partitionKeyOf(EXAMPLE_EVENTS[type])).toBe(EXAMPLE_EVENTS[type].account.key);
    }
  });

  it('prefixes names for tests and validates them', () => {
    expect(topicName('finmesh.balance-updated.v1')).toBe('finmesh.balance-updated.v1');
    expect(topicName('finmesh.balance-updated.v1', 't-mwr6-schemas-x.')).toBe('t-mwr6-schemas-x.finmesh.balance-updated.v1');
    expect(dlqTopicName('finmesh.balance-updated.v1', 't-1-s-x.')).toBe('t-1-s-x.finmesh.balance-updated.v1.dlq');
    expect(topicOfEventType('account.closed', 'p.')).toBe('p.finmesh.account-closed.v1');
    expect(topicOf(EXAMPLE_EVENTS['ledger.discrepancy'])).toBe('finmesh.ledger-discrepancy.v1');
    for (const prefix of ['t x.', 't/x.', 'ü.', 'a'.repeat(240)]) {
      expect(() => topicName('finmesh.balance-updated.v1', prefix)).toThrow(ContractError);
    }
  });

  it('resolves prefixed and dead-letter names back to the registry', () => {
    expect(resolveTopic('finmesh.callback-received.v1')).toEqual({
      definition: TOPICS['callback.received'],
      prefix: '',
      isDeadLetter: false,
    });
    expect(resolveTopic('t-1-s-x.finmesh.callback-received.v1.dlq')).toEqual({
      definition: TOPICS['callback.received'],
      prefix: 't-1-s-x.',
      isDeadLetter: true,
    });
    expect(resolveTopic('finmesh.callback-received.v2')).toBeUndefined();
    expect(resolveTopic('finmesh.callback-received.v1.retry')).toBeUndefined();
    expect(resolveTopic('bad prefix finmesh.callback-received.v1')).toBeUndefined();
  });

  it('lists every topic and its DLQ for provisioning', () => {
    const specs = topicSpecs('t-1-s-x.');
    expect(specs).toHaveLength(EVENT_TYPES.length * 2);
    expect(specs).toContainEqual({
      name: 't-1-s-x.finmesh.payment-status-changed.v1',
      partitions: 6,
      retentionMs: 30 * DAY_MS,
      config: { 'cleanup.policy': 'delete' },
    });
    expect(specs).toContainEqual({
      name: 't-1-s-x.finmesh.payment-status-changed.v1.dlq',
      partitions: 1,
      retentionMs: DLQ_RETENTION_MS,
      config: { 'cleanup.policy': 'delete' },
    });
    expect(topicSpecs().map((spec) => spec.name)).toContain('finmesh.account-closed.v1.dlq');
  });
});
