import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { deterministicEventId, EVENT_ID_NAMESPACE, type IdentityPart } from './event-id';
import { EVENT_IDENTITY_FIELDS, EVENT_TYPES, eventIdentityParts, eventIdOf, type EventWithoutId } from './events';
import { EXAMPLE_EVENTS } from './examples';
import { paymentRef } from './refs';
import { EVENT_ID_PATTERN } from './primitives';
import { createEvent } from './validation';

function withoutId(event: { id: string }): EventWithoutId {
  const { id: _id, ...rest } = event;
  return rest as EventWithoutId;
}

function valueAtPath(value: unknown, path: string): unknown {
  let current = value;
  for (const segment of path.split('.')) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[segment];
  }
  return current;
}

describe('deterministicEventId', () => {
  it('is a lowercase UUID with version nibble 8 and the RFC 9562 variant', () => {
    const id = deterministicEventId(['payment.status_changed', 'indexo', 'indexo:p1', 'indexo.iso20022', 'ACSC', null]);
    expect(id).toMatch(EVENT_ID_PATTERN);
    expect(id[14]).toBe('8');
    expect(['8', '9', 'a', 'b']).toContain(id[19]);
  });

  it('is SHA-256 of the JSON array [namespace, ...parts], as docs/events.md describes', () => {
    const parts: IdentityPart[] = ['account.closed', 'finx', 'finx:xgQQXg3hrtjh7AvZ'];
    const hex = createHash('sha256')
      .update(JSON.stringify([EVENT_ID_NAMESPACE, ...parts]))
      .digest('hex')
      .slice(0, 32)
      .split('');
    hex[12] = '8';
    hex[16] = ((Number.parseInt(hex[16] ?? '0', 16) & 0x3) | 0x8).toString(16);
    const expected = hex.join('').replace(/^(.{8})(.{4})(.{4})(.{4})(.{12})$/, '$1-$2-$3-$4-$5');
    expect(deterministicEventId(parts)).toBe(expected);
  });

  it('stays the same across releases (a change would re-deliver every fact under a new id)', () => {
    expect(deterministicEventId(['account.closed', 'finx', 'finx:xgQQXg3hrtjh7AvZ'])).toBe(
      EXAMPLE_EVENTS['account.closed'].id,
    );
    expect(EXAMPLE_EVENTS['account.closed'].id).toBe('506bc2bd-f53a-835f-a194-7badfe3720ed');
  });

  it('encodes the parts unambiguously', () => {
    expect(deterministicEventId(['a:b', 'c'])).not.toBe(deterministicEventId(['a', 'b:c']));
    expect(deterministicEventId(['ab', 'c'])).not.toBe(deterministicEventId(['a', 'bc']));
    expect(deterministicEventId([null])).not.toBe(deterministicEventId(['']));
    expect(deterministicEventId([null])).not.toBe(deterministicEventId(['null']));
    expect(deterministicEventId([])).not.toBe(deterministicEventId(['']));
    expect(deterministicEventId(['"', ','])).not.toBe(deterministicEventId(['", "']));
  });
});

describe('event identity', () => {
  it.each(EVENT_TYPES)('%s: the example id is the id of its fact', (type) => {
    const example = EXAMPLE_EVENTS[type];
    expect(eventIdOf(withoutId(example))).toBe(example.id);
  });

  it.each(EVENT_TYPES)('%s: EVENT_IDENTITY_FIELDS documents exactly eventIdentityParts', (type) => {
    const example = EXAMPLE_EVENTS[type];
    const documented = EVENT_IDENTITY_FIELDS[type].map((path) => valueAtPath(example, path) ?? null);
    expect(eventIdentityParts(withoutId(example))).toEqual(documented);
  });

  it('ignores when and by whom a fact was observed', () => {
    const example = EXAMPLE_EVENTS['transaction.posted'];
    const reobserved = createEvent('transaction.posted', {
      ...structuredClone(example),
      observedAt: '2025-03-04T00:00:00Z',
      source: 'callback',
      correlationId: 'another-sync-run',
    });
    expect(reobserved.id).toBe(example.id);
  });

  it('changes with the version of the fact', () => {
    const transaction = structuredClone(EXAMPLE_EVENTS['transaction.posted']);
    const pending = createEvent('transaction.posted', {
      ...transaction,
      data: { ...transaction.data, status: 'pending', bookedAt: undefined },
    });
    expect(pending.id).not.toBe(transaction.id);

    const payment = structuredClone(EXAMPLE_EVENTS['payment.status_changed']);
    const settled = createEvent('payment.status_changed', {
      ...payment,
      data: { ...payment.data, status: 'settled', rawStatus: { scheme: 'indodax.withdraw', code: 'success' } },
    });
    expect(settled.id).not.toBe(payment.id);

    const balance = structuredClone(EXAMPLE_EVENTS['balance.updated']);
    const later = createEvent('balance.updated', { ...balance, data: { ...balance.data, asOf: '2025-03-03T10:00:00Z' } });
    const changed = createEvent('balance.updated', {
      ...balance,
      data: { ...balance.data, booked: { amount: '1', asset: 'EUR/2' } },
    });
    expect(new Set([balance.id, later.id, changed.id]).size).toBe(3);
  });
});

describe('event id properties', () => {
  const partArbitrary = fc.option(fc.string({ maxLength: 12 }), { nil: null });
  const partsArbitrary = fc.array(partArbitrary, { maxLength: 6 });

  it('the same parts always give the same id, in the id format', () => {
    fc.assert(
      fc.property(partsArbitrary, (parts) => {
        const id = deterministicEventId(parts);
        expect(deterministicEventId([...parts])).toBe(id);
        expect(id).toMatch(EVENT_ID_PATTERN);
      }),
    );
  });

  it('different parts never give the same id', () => {
    fc.assert(
      fc.property(partsArbitrary, partsArbitrary, (left, right) => {
        fc.pre(JSON.stringify(left) !== JSON.stringify(right));
        expect(deterministicEventId(left)).not.toBe(deterministicEventId(right));
      }),
    );
  });

  it('distinct payment facts get distinct ids; the same fact the same id', () => {
    const factArbitrary = fc.record({
      paymentId: fc.constantFrom('p1', 'p2', 'p:1', '1:p'),
      code: fc.constantFrom('RCVD', 'ACTC', 'ACSC', 'RJCT'),
      version: fc.option(fc.constantFrom('1', '2', '2025-03-03T10:00:00Z'), { nil: undefined }),
    });
    const template = EXAMPLE_EVENTS['transaction.posted'];
    const eventOf = (fact: { paymentId: string; code: string; version: string | undefined }) =>
      eventIdOf({
        type: 'payment.status_changed',
        schemaVersion: 1,
        provider: 'indexo',
        source: 'poll',
        occurredAt: template.occurredAt,
        observedAt: template.observedAt,
        account: template.account,
        payment: paymentRef('indexo', fact.paymentId),
        correlationId: 'c',
        data: {
          amount: { amount: '100', asset: 'EUR/2' },
          status: 'accepted',
          rawStatus: { scheme: 'indexo.iso20022', code: fact.code },
          providerStatusVersion: fact.version,
        },
      });
    fc.assert(
      fc.property(factArbitrary, factArbitrary, (left, right) => {
        const sameFact = JSON.stringify(left) === JSON.stringify(right);
        expect(eventOf(left) === eventOf(right)).toBe(sameFact);
      }),
    );
  });
});
