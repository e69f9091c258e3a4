import { ContractError, EventValidationError } from './errors';
import { EVENT_TYPES, type EventType, type FinmeshEvent } from './events';
import { EXAMPLE_EVENTS, EXAMPLE_TRACEPARENT } from './examples';
import { EVENT_HEADERS } from './headers';
import { accountRef } from './refs';
import { TOPICS } from './topics';
import { createEvent, parseConsumedEvent, toKafkaMessage, validateForProduce } from './validation';

function validationErrorOf(action: () => unknown): EventValidationError {
  try {
    action();
  } catch (error: unknown) {
    if (error instanceof EventValidationError) return error;
    throw error;
  }
  throw new Error('expected an EventValidationError');
}

function copyOf<Type extends EventType>(type: Type) {
  return structuredClone(EXAMPLE_EVENTS[type]);
}

describe('createEvent', () => {
  it('derives the id from the fact and returns the event in envelope order', () => {
    const { id: _id, type: _type, schemaVersion: _version, ...input } = copyOf('account.closed');
    const event = createEvent('account.closed', input);
    expect(event).toEqual(EXAMPLE_EVENTS['account.closed']);
    expect(Object.keys(event)).toEqual([
      'id',
      'type',
      'schemaVersion',
      'provider',
      'source',
      'occurredAt',
      'observedAt',
      'account',
      'correlationId',
      'data',
    ]);
  });

  it('throws one EventValidationError listing every issue with its path', () => {
    const error = validationErrorOf(() =>
      createEvent('balance.updated', {
        ...copyOf('balance.updated'),
        observedAt: 'yesterday',
        data: { ...copyOf('balance.updated').data, booked: { amount: '1.5', asset: 'EUR/2' } },
      }),
    );
    expect(error.stage).toBe('produce');
    expect(error.code).toBe('invalid_event');
    expect(error.issues.map((issue) => issue.path)).toEqual(['observedAt', 'data.booked.amount']);
    expect(error.reason).toMatch(/^event rejected at produce: observedAt: .+; data\.booked\.amount: .+$/);
    expect(error.message).toBe(error.reason);
    expect(error).toBeInstanceOf(ContractError);
  });

  it('reports a malformed input without crashing on the missing parts', () => {
    const error = validationErrorOf(() =>
      createEvent('payment.status_changed', {} as Parameters<typeof createEvent<'payment.status_changed'>>[1]),
    );
    expect(error.issues.map((issue) => issue.path)).toEqual(
      expect.arrayContaining(['provider', 'source', 'account', 'payment', 'data']),
    );
  });
});

describe('validateForProduce', () => {
  it.each(EVENT_TYPES)('accepts the %s example and returns it', (type) => {
    expect(validateForProduce(EXAMPLE_EVENTS[type])).toEqual(EXAMPLE_EVENTS[type]);
  });

  it('rejects an id that is not the id of the fact, naming the expected one', () => {
    const event = { ...copyOf('balance.updated'), id: EXAMPLE_EVENTS['account.closed'].id };
    const error = validationErrorOf(() => validateForProduce(event));
    expect(error.issues).toEqual([{ path: 'id', message: expect.stringContaining(EXAMPLE_EVENTS['balance.updated'].id) }]);
  });

  it('rejects a changed fact under the old id (the id must follow the fact)', () => {
    const event = copyOf('transaction.posted');
    event.data.providerTransactionId = 'another';
    expect(validationErrorOf(() => validateForProduce(event)).issues.map((issue) => issue.path)).toEqual(['id']);
  });

  it.each([null, undefined, 42, 'event', []])('rejects %p', (value) => {
    expect(validationErrorOf(() => validateForProduce(value)).stage).toBe('produce');
  });

  it('never puts a field value into the reason', () => {
    const secret = 'sk_live_9f8e7d6c5b4a';
    const callback = copyOf('callback.received');
    const poisoned = {
      ...callback,
      provider: secret,
      correlationId: `${secret}\n`,
      password: secret,
      data: {
        ...callback.data,
        headers: { ...callback.data.headers, authorization: `Bearer ${secret}`, 'x-callback-token': secret },
        rawBodyBase64: `${secret}!`,
        verification: { scheme: secret, keyId: secret },
        parsedBody: { token: secret, amount: 1.5 },
      },
    };
    const error = validationErrorOf(() => validateForProduce(poisoned));
    expect(error.issues.length).toBeGreaterThanOrEqual(4);
    expect(error.reason).not.toContain(secret);
    expect(error.reason).not.toContain('9f8e7d6c5b4a');
    expect(JSON.stringify(error.issues)).not.toContain(secret);
  });
});

describe('toKafkaMessage', () => {
  it.each(EVENT_TYPES)('%s: topic, key, JSON value and headers from the registry', (type) => {
    const event: FinmeshEvent = EXAMPLE_EVENTS[type];
    const message = toKafkaMessage(event, { traceparent: EXAMPLE_TRACEPARENT, tracestate: 'fm=1' });
    expect(message.topic).toBe(TOPICS[type].baseName);
    expect(JSON.parse(message.value)).toEqual(event);
    expect(message.headers).toEqual({
      [EVENT_HEADERS.eventId]: event.id,
      [EVENT_HEADERS.eventType]: type,
      [EVENT_HEADERS.schemaVersion]: '1',
      [EVENT_HEADERS.correlationId]: event.correlationId,
      [EVENT_HEADERS.contentType]: 'application/json',
      [EVENT_HEADERS.traceparent]: EXAMPLE_TRACEPARENT,
      [EVENT_HEADERS.tracestate]: 'fm=1',
    });
  });

  it('keys by the partition key and honours a topic prefix', () => {
    const message = toKafkaMessage(EXAMPLE_EVENTS['payment.status_changed'], { topicPrefix: 't-run1-suite-x.' });
    expect(message.topic).toBe('t-run1-suite-x.finmesh.payment-status-changed.v1');
    expect(message.key).toBe('indodax:fm7f3c2a9b41d');
    expect(message.headers[EVENT_HEADERS.traceparent]).toBeUndefined();
  });

  it('validates before anything leaves the process', () => {
    const event = copyOf('account.closed');
    event.account = accountRef('finx', 'other');
    expect(() => toKafkaMessage(event)).toThrow(EventValidationError);
    expect(() => toKafkaMessage(EXAMPLE_EVENTS['account.closed'], { traceparent: 'garbage' })).toThrow(/traceparent/);
  });
});

describe('parseConsumedEvent', () => {
  const balanceTopic = TOPICS['balance.updated'].baseName;

  it.each(EVENT_TYPES)('%s: reads what toKafkaMessage wrote, from bytes or text', (type) => {
    const message = toKafkaMessage(EXAMPLE_EVENTS[type], { topicPrefix: 't-abc-schemas-x.' });
    expect(parseConsumedEvent(message.topic, Buffer.from(message.value, 'utf8'))).toEqual(EXAMPLE_EVENTS[type]);
    expect(parseConsumedEvent(message.topic, message.value)).toEqual(EXAMPLE_EVENTS[type]);
    expect(parseConsumedEvent(message.topic, new TextEncoder().encode(message.value))).toEqual(EXAMPLE_EVENTS[type]);
  });

  it.each([
    ['finmesh.unknown.v1', '{}', /not in the finmesh topic registry/],
    [`${balanceTopic}.dlq`, '{}', /dead-letter topic/],
    [balanceTopic, null, /no value/],
    [balanceTopic, Buffer.from([0x7b, 0xff, 0x7d]), /not valid UTF-8/],
    [balanceTopic, '{"id": sk_live_secret}', /not valid JSON: malformed at position \d+/],
    [balanceTopic, '', /not valid JSON/],
    [balanceTopic, '{"id":"a","id":"b"}', /duplicate key "id"/],
  ])('refuses %p / %p', (topic, value, reason) => {
    const error = validationErrorOf(() => parseConsumedEvent(topic, value));
    expect(error.stage).toBe('consume');
    expect(error.topic).toBe(topic);
    expect(error.reason).toMatch(reason);
    expect(error.reason).not.toContain('sk_live_secret');
  });

  it('refuses an inexact number anywhere in the value', () => {
    const value = JSON.stringify(EXAMPLE_EVENTS['balance.updated']).replace('"schemaVersion":1', '"schemaVersion":1.0');
    expect(validationErrorOf(() => parseConsumedEvent(balanceTopic, value)).reason).toMatch(/not a plain safe integer/);
  });

  it('takes the canonical-text fast path only when it is as strict as the lossless parser', () => {
    const canonical = JSON.stringify(EXAMPLE_EVENTS['balance.updated']);
    // A number where the contract wants a string, in canonical form: the schema refuses it.
    const numeric = canonical.replace(/"booked":\{"amount":"(\d+)"/, '"booked":{"amount":$1');
    expect(numeric).not.toBe(canonical);
    expect(validationErrorOf(() => parseConsumedEvent(balanceTopic, numeric)).issues.map((i) => i.path)).toContain('data.booked.amount');
    // A duplicated key is never canonical, so the lossless parser sees it.
    const duplicated = canonical.replace('{"id":', '{"type":"account.closed","id":');
    expect(validationErrorOf(() => parseConsumedEvent(balanceTopic, duplicated)).reason).toMatch(/duplicate key "type"/);
    // Whitespace makes a text non-canonical: it still parses through the lossless path.
    expect(parseConsumedEvent(balanceTopic, JSON.stringify(EXAMPLE_EVENTS['balance.updated'], null, 2))).toEqual(
      EXAMPLE_EVENTS['balance.updated'],
    );
  });

  it('refuses an event of another type on a topic', () => {
    const value = JSON.stringify(EXAMPLE_EVENTS['account.closed']);
    const error = validationErrorOf(() => parseConsumedEvent(balanceTopic, value));
    expect(error.issues.map((issue) => issue.path)).toContain('type');
    expect(error.reason.startsWith(`event rejected at consume on ${balanceTopic}: `)).toBe(true);
  });

  it('refuses unknown fields and a forged id', () => {
    const extra = { ...copyOf('balance.updated'), trace: 'x' };
    expect(validationErrorOf(() => parseConsumedEvent(balanceTopic, JSON.stringify(extra))).issues).toEqual([
      { path: '', message: 'Unrecognized key: "trace"' },
    ]);
    const forged = copyOf('balance.updated');
    forged.data.booked.amount = '1';
    expect(validationErrorOf(() => parseConsumedEvent(balanceTopic, JSON.stringify(forged))).issues[0]?.path).toBe('id');
  });
});
