import fc from 'fast-check';
import { CALLBACK_VERIFICATION_SCHEMES, CallbackReceivedEventSchema, REDACTED_HEADER_VALUE, SENSITIVE_HEADER_NAMES } from './callback-received';
import { isCanonicalCallbackReceivedEvent } from './callback-received-fast-check';
import { eventIdOf, FinmeshEventSchema, type EventWithoutId } from './index';
import { EXAMPLE_EVENTS } from '../examples';
import { PROVIDERS } from '../primitives';
import { validateForProduce } from '../validation';

/** Mostly what the ingress produces, sometimes something else: every field is wrong now and then. */
function mostly<T, U>(valid: fc.Arbitrary<T>, other: fc.Arbitrary<U>): fc.Arbitrary<T | U> {
  return fc.oneof({ arbitrary: valid, weight: 19 }, { arbitrary: other, weight: 1 });
}

/** Strings around every limit and rule of the schema's identifiers. */
const identifier = mostly(
  fc.stringMatching(/^[ -~]{1,40}$/),
  fc.oneof(
    fc.string({ minLength: 0, maxLength: 600 }),
    fc.constantFrom('', 'a\u0000b', 'tab\there', 'x'.repeat(128), 'x'.repeat(129), 'x'.repeat(512), 'x'.repeat(513), 'é', '\u007f'),
  ),
);
const timestamp = mostly(
  fc.date({ min: new Date('0000-01-01T00:00:00.000Z'), max: new Date('9999-12-31T23:59:59.999Z'), noInvalidDate: true }).map((d) => d.toISOString()),
  fc.oneof(fc.constantFrom('2025-02-29T00:00:00.000Z', '2024-02-29T23:59:59.999Z', '1900-02-29T00:00:00.000Z', '2000-02-29T00:00:00.000Z', '0000-02-29T00:00:00.000Z', '2025-04-31T00:00:00.000Z', '2025-00-10T00:00:00.000Z', '2025-01-00T00:00:00.000Z', '2025-01-01T23:60:00.000Z', '2025-01-01T23:59:60.000Z', '2025-03-01T10:15:00+07:00', '2025-03-01T10:15:00Z', '2025-13-01T00:00:00.000Z', '2025-01-01T24:00:00.000Z', '2025-01-01 00:00:00.000Z'),
  fc.string({ maxLength: 30 })),
);
const headerName = mostly(
  fc.oneof(fc.stringMatching(/^[a-z0-9-]{1,12}$/), fc.constantFrom('content-type', 'webhook-id', '123')),
  fc.constantFrom(...SENSITIVE_HEADER_NAMES, 'X-Upper', 'a b', '', '__proto__', 'x'.repeat(257)),
);
const headerValue = mostly(fc.oneof(fc.string({ maxLength: 20 }), fc.constant(REDACTED_HEADER_VALUE)), fc.oneof(fc.constant('v'.repeat(8_193)), fc.integer()));
const headers = fc.dictionary(headerName, headerValue, { maxKeys: 6 });
/** LosslessJsonValue trees, and some JSON that is not one (numbers). */
const { lossless } = fc.letrec((tie) => ({
  lossless: fc.oneof(
    { depthSize: 'small' },
    fc.string({ maxLength: 8 }),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('lossless'), { maxLength: 3 }),
    fc.dictionary(mostly(fc.string({ maxLength: 6 }), fc.constant('__proto__')), tie('lossless'), { maxKeys: 3 }),
  ),
}));
const parsedBody = mostly(fc.oneof(lossless, fc.constant(undefined)), fc.jsonValue());
const base64 = mostly(
  fc.uint8Array({ maxLength: 40 }).map((bytes) => Buffer.from(bytes).toString('base64')),
  fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom('YQ', 'Y Q==', 'YQ=', '====')),
);
const verification = fc.oneof(
  fc.record({ scheme: mostly(fc.constantFrom(...CALLBACK_VERIFICATION_SCHEMES), fc.constant('other')) }),
  fc.record({ scheme: fc.constantFrom(...CALLBACK_VERIFICATION_SCHEMES), keyId: identifier }),
);

/** Events shaped like the ingress's, with any field possibly wrong; the id is derived from the fields. */
const candidateEvent = fc
  .record({
    provider: mostly(fc.constantFrom(...PROVIDERS), fc.constant('acme')),
    occurredAt: timestamp,
    observedAt: timestamp,
    correlationId: identifier,
    callbackId: identifier,
    sourceName: mostly(fc.stringMatching(/^[a-z0-9][a-z0-9-]{0,62}$/), fc.string({ maxLength: 70 })),
    idempotencyKey: identifier,
    receivedAt: timestamp,
    contentType: identifier,
    headers,
    rawBodyBase64: base64,
    parsedBody,
    verification,
    tamper: fc.option(fc.tuple(fc.constantFrom('id', 'type', 'schemaVersion', 'source', 'extra', 'data.extra', 'data'), fc.anything()), { freq: 10 }),
  })
  .map(({ tamper, parsedBody: body, ...fields }) => {
    const data: Record<string, unknown> = {
      callbackId: fields.callbackId,
      sourceName: fields.sourceName,
      idempotencyKey: fields.idempotencyKey,
      receivedAt: fields.receivedAt,
      contentType: fields.contentType,
      headers: fields.headers,
      rawBodyBase64: fields.rawBodyBase64,
      ...(body === undefined ? {} : { parsedBody: body }),
      verification: fields.verification,
    };
    const withoutId = {
      type: 'callback.received',
      schemaVersion: 1,
      provider: fields.provider,
      source: 'callback',
      occurredAt: fields.occurredAt,
      observedAt: fields.observedAt,
      correlationId: fields.correlationId,
      data,
    };
    let id = '00000000-0000-8000-8000-000000000000';
    try {
      id = eventIdOf(withoutId as EventWithoutId);
    } catch {
      // an identity part of the wrong type: any id will do, the schema refuses the event anyway
    }
    const event: Record<string, unknown> = { id, ...withoutId };
    if (tamper !== null) {
      const [path, value] = tamper;
      if (path.startsWith('data.')) data[path.slice(5)] = value;
      else event[path] = value;
    }
    return event;
  });

describe('the callback.received fast check', () => {
  it('passes only events the schema accepts, and whose validated form serialises identically', () => {
    let passed = 0;
    fc.assert(
      fc.property(candidateEvent, (event) => {
        if (!isCanonicalCallbackReceivedEvent(event)) return;
        passed += 1;
        for (const schema of [CallbackReceivedEventSchema, FinmeshEventSchema]) {
          const result = schema.safeParse(event);
          expect(result.success).toBe(true);
          expect(JSON.stringify(result.data)).toBe(JSON.stringify(event));
        }
      }),
      { numRuns: 5_000 },
    );
    expect(passed).toBeGreaterThan(100);
  });

  it('is not a dead path: it passes the ingress-shaped events the schema accepts', () => {
    let passed = 0;
    fc.assert(
      fc.property(candidateEvent, (event) => {
        const plainTimestamps = [event['occurredAt'], event['observedAt'], (event['data'] as Record<string, unknown> | undefined)?.['receivedAt']].every(
          (value) => typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/.test(value),
        );
        const headerNames = Object.keys(((event['data'] as Record<string, unknown> | undefined)?.['headers'] ?? {}) as object);
        const body = JSON.stringify((event['data'] as Record<string, unknown> | undefined)?.['parsedBody'] ?? null);
        if (!plainTimestamps || headerNames.includes('__proto__') || body.includes('__proto__')) return;
        if (CallbackReceivedEventSchema.safeParse(event).success) {
          expect(isCanonicalCallbackReceivedEvent(event)).toBe(true);
          passed += 1;
        }
      }),
      { numRuns: 5_000 },
    );
    expect(passed).toBeGreaterThan(100);
  });

  it('agrees with the schema on calendar edge cases of the timestamps', () => {
    const example = EXAMPLE_EVENTS['callback.received'];
    const cases = {
      '2024-02-29T23:59:59.999Z': true,
      '2000-02-29T00:00:00.000Z': true,
      '0000-02-29T00:00:00.000Z': true,
      '9999-12-31T23:59:59.999Z': true,
      '2025-02-29T00:00:00.000Z': false,
      '1900-02-29T00:00:00.000Z': false,
      '2025-04-31T00:00:00.000Z': false,
      '2025-00-10T00:00:00.000Z': false,
      '2025-01-00T00:00:00.000Z': false,
      '2025-01-01T24:00:00.000Z': false,
      '2025-01-01T23:60:00.000Z': false,
      '2025-01-01T23:59:60.000Z': false,
    };
    for (const [observedAt, valid] of Object.entries(cases)) {
      const event = { ...example, observedAt };
      expect(CallbackReceivedEventSchema.safeParse(event).success).toBe(valid);
      expect(isCanonicalCallbackReceivedEvent(event)).toBe(valid);
    }
  });

  it('passes the contract example, and validateForProduce still refuses a wrong id on the fast path', () => {
    const example = EXAMPLE_EVENTS['callback.received'];
    expect(isCanonicalCallbackReceivedEvent(example)).toBe(true);
    expect(validateForProduce(example)).toEqual(example);
    const tampered = { ...example, id: '00000000-0000-8000-8000-000000000001' };
    expect(isCanonicalCallbackReceivedEvent(tampered)).toBe(true);
    expect(() => validateForProduce(tampered)).toThrow(/deterministic id/);
  });
});
