import { redactCallbackHeaders, validateForProduce } from '@finmesh/schemas';
import { callbackEventOf, storableHeaders } from './callback-event';
import type { CallbackRecord } from './callback-store';

describe('callback events', () => {
  it('store headers as the contract does: lower case, repeats joined, credentials redacted, oversized ones left out', () => {
    const headers = {
      'Content-Type': 'application/json',
      'x-callback-token': 'secret-token',
      'webhook-signature': 'v1,abc',
      'x-forwarded-for': ['203.0.113.1', '10.0.0.1'],
      'x-huge': 'x'.repeat(9_000),
      ['__proto__']: 'kept as data',
    };
    const { ['__proto__']: proto, ...stored } = storableHeaders(headers);
    const { 'x-huge': _huge, ...expected } = redactCallbackHeaders(headers);
    expect(stored).toEqual(expected);
    // The contract's helper assigns, which would set the prototype; here it stays a header.
    expect(proto).toBe('kept as data');
    expect(stored['x-callback-token']).toBe('[REDACTED]');
    expect(stored['x-forwarded-for']).toBe('203.0.113.1, 10.0.0.1');
    expect(Object.getPrototypeOf(storableHeaders(headers))).toBe(Object.prototype);
  });

  it('builds an event the contract accepts, deterministically', () => {
    const record: CallbackRecord = {
      id: '5f0c1a9e-7a7e-4b8e-9a51-0d1c2b3a4f5e',
      source: 'acme',
      idempotencyKey: 'msg_1',
      provider: 'indx',
      eventId: '',
      correlationId: 'corr-1',
      receivedAt: new Date('2026-11-22T10:00:00.123Z'),
      occurredAt: new Date('2026-11-22T10:00:00.000Z'),
      contentType: 'application/json',
      headers: storableHeaders({ 'content-type': 'application/json', 'webhook-signature': 'v1,x' }),
      body: Buffer.from('{"amount":10.50,"nested":{"list":[1,"a",true,null]}}'),
      verification: { scheme: 'standard-webhooks', keyId: 'k1' },
    };
    const event = callbackEventOf(record);
    expect(validateForProduce(event)).toEqual(event);
    expect(callbackEventOf(record)).toEqual(event);
    expect(event.data.parsedBody).toEqual({ amount: '10.50', nested: { list: ['1', 'a', true, null] } });
  });
});
