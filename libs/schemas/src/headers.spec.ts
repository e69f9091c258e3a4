import fc from 'fast-check';
import { ContractError } from './errors';
import {
  buildTraceparent,
  childTraceContext,
  deadLetterHeaders,
  DLQ_HEADERS,
  EventHeadersSchema,
  eventHeaders,
  headerText,
  MAX_DLQ_REASON_LENGTH,
  newTraceContext,
  parseDeadLetterHeaders,
  parseTraceparent,
  type DeadLetterInfo,
} from './headers';
import { EXAMPLE_EVENTS, EXAMPLE_TRACEPARENT } from './examples';

describe('traceparent', () => {
  it('parses a version 00 traceparent', () => {
    expect(parseTraceparent(EXAMPLE_TRACEPARENT)).toEqual({
      traceId: '5c1e3a9f0b7d4e2a8c6f1d3b9a7e5c20',
      parentId: '3f9a1c7e5b2d8046',
      sampled: true,
    });
    expect(parseTraceparent('00-5c1e3a9f0b7d4e2a8c6f1d3b9a7e5c20-3f9a1c7e5b2d8046-00')?.sampled).toBe(false);
  });

  it('accepts a later version with extra fields (forward compatible)', () => {
    expect(parseTraceparent('01-5c1e3a9f0b7d4e2a8c6f1d3b9a7e5c20-3f9a1c7e5b2d8046-01-future')?.traceId).toBe(
      '5c1e3a9f0b7d4e2a8c6f1d3b9a7e5c20',
    );
  });

  it.each([
    undefined,
    '',
    '00-5c1e3a9f0b7d4e2a8c6f1d3b9a7e5c20-3f9a1c7e5b2d8046-01-extra',
    'ff-5c1e3a9f0b7d4e2a8c6f1d3b9a7e5c20-3f9a1c7e5b2d8046-01',
    '00-00000000000000000000000000000000-3f9a1c7e5b2d8046-01',
    '00-5c1e3a9f0b7d4e2a8c6f1d3b9a7e5c20-0000000000000000-01',
    '00-5C1E3A9F0B7D4E2A8C6F1D3B9A7E5C20-3f9a1c7e5b2d8046-01',
    '00-5c1e3a9f0b7d4e2a8c6f1d3b9a7e5c2-3f9a1c7e5b2d8046-01',
    ' 00-5c1e3a9f0b7d4e2a8c6f1d3b9a7e5c20-3f9a1c7e5b2d8046-01',
  ])('treats %p as absent', (value) => {
    expect(parseTraceparent(value)).toBeUndefined();
  });

  it('builds what it parses, and new and child contexts are valid', () => {
    const root = newTraceContext();
    const child = childTraceContext(root);
    expect(child.traceId).toBe(root.traceId);
    expect(child.parentId).not.toBe(root.parentId);
    for (const context of [root, child, newTraceContext(false)]) {
      expect(parseTraceparent(buildTraceparent(context))).toEqual(context);
    }
    expect(() => buildTraceparent({ traceId: 'abc', parentId: '3f9a1c7e5b2d8046', sampled: true })).toThrow(ContractError);
  });

  it('round-trips any valid context', () => {
    const hex = (length: number) =>
      fc
        .string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: length, maxLength: length })
        .filter((value) => !/^0+$/.test(value));
    fc.assert(
      fc.property(hex(32), hex(16), fc.boolean(), (traceId, parentId, sampled) => {
        expect(parseTraceparent(buildTraceparent({ traceId, parentId, sampled }))).toEqual({ traceId, parentId, sampled });
      }),
    );
  });
});

describe('event headers', () => {
  it('match the EventHeaders schema', () => {
    for (const event of Object.values(EXAMPLE_EVENTS)) {
      expect(EventHeadersSchema.safeParse(eventHeaders(event, { traceparent: EXAMPLE_TRACEPARENT })).success).toBe(true);
      expect(EventHeadersSchema.safeParse(eventHeaders(event)).success).toBe(true);
    }
  });
});

describe('dead-letter headers', () => {
  const info: DeadLetterInfo = {
    reason: 'event rejected at consume on finmesh.balance-updated.v1: data.booked.amount: Invalid string',
    originTopic: 'finmesh.balance-updated.v1',
    originPartition: 3,
    originOffset: '1842',
    consumerGroup: 'finmesh-ledger',
    attempts: 1,
    failedAt: '2025-03-03T09:00:03.001Z',
  };

  it('are built and read back', () => {
    const headers = deadLetterHeaders(info);
    expect(headers).toEqual({
      'finmesh-dlq-reason': info.reason,
      'finmesh-dlq-origin-topic': 'finmesh.balance-updated.v1',
      'finmesh-dlq-origin-partition': '3',
      'finmesh-dlq-origin-offset': '1842',
      'finmesh-dlq-consumer-group': 'finmesh-ledger',
      'finmesh-dlq-attempts': '1',
      'finmesh-dlq-failed-at': '2025-03-03T09:00:03.001Z',
    });
    expect(parseDeadLetterHeaders(headers)).toEqual(info);
    const asKafkaDelivers = Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, Buffer.from(value)]));
    expect(parseDeadLetterHeaders({ ...asKafkaDelivers, traceparent: EXAMPLE_TRACEPARENT })).toEqual(info);
  });

  it('cut a long reason', () => {
    const headers = deadLetterHeaders({ ...info, reason: 'x'.repeat(10_000) });
    expect(headers[DLQ_HEADERS.reason]).toHaveLength(MAX_DLQ_REASON_LENGTH);
  });

  it('refuse malformed or missing values, naming the header', () => {
    expect(() => deadLetterHeaders({ ...info, originPartition: -1 })).toThrow(/finmesh-dlq-origin-partition/);
    expect(() => deadLetterHeaders({ ...info, failedAt: 'now' })).toThrow(/finmesh-dlq-failed-at/);
    const { [DLQ_HEADERS.attempts]: _attempts, ...missing } = deadLetterHeaders(info);
    expect(() => parseDeadLetterHeaders(missing)).toThrow(/finmesh-dlq-attempts/);
  });

  it('headerText takes the last of repeated values', () => {
    expect(headerText([Buffer.from('a'), 'b'])).toBe('b');
    expect(headerText(undefined)).toBeUndefined();
    expect(headerText(Buffer.from('ü'))).toBe('ü');
  });
});
