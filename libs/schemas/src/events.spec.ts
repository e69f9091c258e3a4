import { formatIssuePath } from './errors';
import { redactCallbackHeaders, REDACTED_HEADER_VALUE } from './events/callback-received';
import { EVENT_SCHEMAS, EVENT_TYPES, FinmeshEventSchema, type EventType } from './events';
import { EXAMPLE_EVENTS } from './examples';

type Mutable = Record<string, unknown> & { data: Record<string, unknown> };

/** Issue paths of a copy of the example of `type`, changed by `change` (an empty list: valid). */
function issuesAfter(type: EventType, change: (event: Mutable) => void): string[] {
  const event = structuredClone(EXAMPLE_EVENTS[type]) as unknown as Mutable;
  change(event);
  const result = EVENT_SCHEMAS[type].safeParse(event);
  return result.success ? [] : result.error.issues.map((issue) => formatIssuePath(issue.path));
}

function child(value: unknown): Record<string, unknown> {
  return value as Record<string, unknown>;
}

describe('every event schema', () => {
  it.each(EVENT_TYPES)('%s: the example is valid, alone and through the union', (type) => {
    expect(EVENT_SCHEMAS[type].safeParse(EXAMPLE_EVENTS[type]).success).toBe(true);
    expect(FinmeshEventSchema.safeParse(EXAMPLE_EVENTS[type]).success).toBe(true);
  });

  it.each(EVENT_TYPES)('%s: an unknown top-level field is rejected (strict)', (type) => {
    expect(issuesAfter(type, (event) => (event['extra'] = 1))).toEqual(['']);
  });

  it.each(EVENT_TYPES)('%s: an unknown data field is rejected (strict)', (type) => {
    expect(issuesAfter(type, (event) => (event.data['extra'] = 'x'))).toEqual(['data']);
  });

  it.each(EVENT_TYPES)('%s: each envelope field is required', (type) => {
    for (const field of ['id', 'type', 'schemaVersion', 'provider', 'source', 'occurredAt', 'observedAt', 'correlationId', 'data']) {
      expect(issuesAfter(type, (event) => delete event[field])).toContain(field);
    }
  });

  it.each(EVENT_TYPES)('%s: envelope field rules', (type) => {
    expect(issuesAfter(type, (event) => (event['schemaVersion'] = 2))).toEqual(['schemaVersion']);
    expect(issuesAfter(type, (event) => (event['schemaVersion'] = '1'))).toEqual(['schemaVersion']);
    expect(issuesAfter(type, (event) => (event['provider'] = 'stripe'))).toContain('provider');
    expect(issuesAfter(type, (event) => (event['source'] = 'guess'))).toEqual(['source']);
    expect(issuesAfter(type, (event) => (event['occurredAt'] = '2025-03-03T09:00:00'))).toEqual(['occurredAt']);
    expect(issuesAfter(type, (event) => (event['observedAt'] = '2025-03-03'))).toEqual(['observedAt']);
    expect(issuesAfter(type, (event) => (event['observedAt'] = '2025-03-03T09:00:00+07:00'))).toEqual([]);
    expect(issuesAfter(type, (event) => (event['id'] = 'e3b0c442-98fc-4c14-9afb-f4c8996fb924'))).toEqual(['id']);
    expect(issuesAfter(type, (event) => (event['id'] = String(event['id']).toUpperCase()))).toEqual(['id']);
    expect(issuesAfter(type, (event) => (event['correlationId'] = ''))).toEqual(['correlationId']);
    expect(issuesAfter(type, (event) => (event['correlationId'] = 'a\nb'))).toEqual(['correlationId']);
  });

  it('the union rejects an unknown type and names the field', () => {
    const result = FinmeshEventSchema.safeParse({ ...EXAMPLE_EVENTS['account.closed'], type: 'account.opened' });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((issue) => formatIssuePath(issue.path))).toEqual(['type']);
  });
});

describe('refs', () => {
  const withAccount: EventType[] = ['balance.updated', 'transaction.posted', 'payment.status_changed', 'ledger.discrepancy', 'account.closed'];

  it.each(withAccount)('%s: the account ref key must be <provider>:<id>, of the event provider', (type) => {
    expect(issuesAfter(type, (event) => (child(event['account'])['key'] = 'other:key'))).toEqual(['account.key']);
    expect(issuesAfter(type, (event) => delete child(event['account'])['key'])).toEqual(['account.key']);
    expect(issuesAfter(type, (event) => (child(event['account'])['id'] = ''))).toContain('account.id');
    expect(issuesAfter(type, (event) => (child(event['account'])['extra'] = 1))).toEqual(['account']);
    expect(
      issuesAfter(type, (event) => {
        const provider = event['provider'] === 'finx' ? 'indx' : 'finx';
        const id = String(child(event['account'])['id']);
        event['account'] = { provider, id, key: `${provider}:${id}` };
      }),
    ).toEqual(['account.provider']);
    expect(issuesAfter(type, (event) => delete event['account'])).toEqual(['account']);
  });

  it('payment ref: required on payment.status_changed, optional on transaction.posted', () => {
    expect(issuesAfter('payment.status_changed', (event) => delete event['payment'])).toEqual(['payment']);
    expect(issuesAfter('transaction.posted', (event) => delete event['payment'])).toEqual([]);
    expect(issuesAfter('transaction.posted', (event) => (child(event['payment'])['key'] = 'indexo:x'))).toEqual([
      'payment.key',
    ]);
  });

  it('events without a ref refuse one', () => {
    expect(issuesAfter('callback.received', (event) => (event['account'] = EXAMPLE_EVENTS['balance.updated'].account))).toEqual(['']);
    expect(issuesAfter('balance.updated', (event) => (event['payment'] = EXAMPLE_EVENTS['transaction.posted'].payment))).toEqual(['']);
  });
});

describe('balance.updated', () => {
  const issues = (change: (data: Record<string, unknown>) => void) => issuesAfter('balance.updated', (event) => change(event.data));

  it('accepts a negative booked balance, optional available and onHold, and a provider version', () => {
    expect(issues((data) => (data['booked'] = { amount: '-500', asset: 'EUR/2' }))).toEqual([]);
    expect(issues((data) => delete data['available'])).toEqual([]);
    expect(issues((data) => delete data['onHold'])).toEqual([]);
    expect(issues((data) => (data['providerVersion'] = '1578304294000'))).toEqual([]);
  });

  it('rejects amounts in another asset, a negative hold and a number amount', () => {
    expect(issues((data) => (data['available'] = { amount: '1', asset: 'USD/2' }))).toEqual(['data.available.asset']);
    expect(issues((data) => (data['booked'] = { amount: '1', asset: 'EUR/3' }))).toEqual(['data.booked.asset']);
    expect(issues((data) => (data['onHold'] = { amount: '-1', asset: 'EUR/2' }))).toEqual(['data.onHold.amount']);
    expect(issues((data) => (data['booked'] = { amount: 12500050, asset: 'EUR/2' }))).toEqual(['data.booked.amount']);
    expect(issues((data) => delete data['booked'])).toEqual(['data.booked']);
    expect(issues((data) => delete data['asOf'])).toEqual(['data.asOf']);
    expect(issues((data) => (data['asset'] = 'EUR'))).toEqual(['data.asset']);
  });
});

describe('transaction.posted', () => {
  const issues = (change: (data: Record<string, unknown>) => void) =>
    issuesAfter('transaction.posted', (event) => change(event.data));

  it('accepts a fee in the same asset up to the gross amount', () => {
    expect(issues((data) => (data['fee'] = { amount: '0', asset: 'EUR/2' }))).toEqual([]);
    expect(issues((data) => (data['fee'] = { amount: '10000', asset: 'EUR/2' }))).toEqual([]);
  });

  it('rejects a non-positive gross amount and a bad fee', () => {
    expect(issues((data) => (data['amount'] = { amount: '0', asset: 'EUR/2' }))).toEqual(['data.amount.amount']);
    expect(issues((data) => (data['amount'] = { amount: '-10000', asset: 'EUR/2' }))).toEqual(['data.amount.amount']);
    expect(issues((data) => (data['fee'] = { amount: '1', asset: 'USD/2' }))).toEqual(['data.fee.asset']);
    expect(issues((data) => (data['fee'] = { amount: '10001', asset: 'EUR/2' }))).toEqual(['data.fee.amount']);
    expect(issues((data) => (data['fee'] = { amount: '-1', asset: 'EUR/2' }))).toEqual(['data.fee.amount']);
  });

  it('ties bookedAt to the status', () => {
    expect(issues((data) => delete data['bookedAt'])).toEqual(['data.bookedAt']);
    expect(issues((data) => (data['status'] = 'pending'))).toEqual(['data.bookedAt']);
    expect(
      issues((data) => {
        data['status'] = 'pending';
        delete data['bookedAt'];
      }),
    ).toEqual([]);
  });

  it('checks enums, dates and the counterparty', () => {
    expect(issues((data) => (data['direction'] = 'in'))).toEqual(['data.direction']);
    expect(issues((data) => (data['kind'] = 'refund'))).toEqual(['data.kind']);
    expect(issues((data) => (data['status'] = 'posted'))).toEqual(['data.status']);
    expect(issues((data) => (data['valueDate'] = '03/03/2025'))).toEqual(['data.valueDate']);
    expect(issues((data) => (data['counterparty'] = {}))).toEqual(['data.counterparty']);
    expect(issues((data) => (data['counterparty'] = { iban: 'LV26 IDXO 1001 0100 0078 7' }))).toEqual(['data.counterparty.iban']);
    expect(issues((data) => (data['counterparty'] = { address: 'D9iCdBLBosJzGSvpQGMSobwtdgB2rS1zam' }))).toEqual([]);
    expect(issues((data) => (data['counterparty'] = { name: 'x', accountNumber: '1' }))).toEqual(['data.counterparty']);
    expect(issues((data) => delete data['providerTransactionId'])).toEqual(['data.providerTransactionId']);
  });
});

describe('payment.status_changed', () => {
  const issues = (change: (event: Mutable) => void) => issuesAfter('payment.status_changed', change);
  const withdrawal = (event: Mutable) => child(event.data['withdrawal']);

  it('requires the normalized status to be the mapping of the raw status', () => {
    expect(issues((event) => (event.data['status'] = 'settled'))).toEqual(['data.status']);
    expect(
      issues((event) => {
        event.data['rawStatus'] = { scheme: 'indodax.withdraw', code: 'success' };
        event.data['status'] = 'settled';
      }),
    ).toEqual([]);
    expect(issues((event) => (event.data['rawStatus'] = { scheme: 'indodax.withdraw', code: 'exploded' }))).toEqual([
      'data.rawStatus.code',
    ]);
  });

  it('requires the raw status scheme to be one of the event provider', () => {
    expect(issues((event) => (event.data['rawStatus'] = { scheme: 'indexo.iso20022', code: 'ACTC' }))).toEqual([
      'data.rawStatus.scheme',
    ]);
  });

  it('accepts the optional fields and refuses a non-positive amount', () => {
    expect(issues((event) => delete event.data['previousStatus'])).toEqual([]);
    expect(issues((event) => (event.data['previousStatus'] = 'processing'))).toEqual([]);
    expect(issues((event) => (event.data['reason'] = 'Insufficient balance'))).toEqual([]);
    expect(issues((event) => (event.data['previousStatus'] = 'done'))).toEqual(['data.previousStatus']);
    expect(issues((event) => (event.data['amount'] = { amount: '0', asset: 'DOGE/8' }))).toContain('data.amount.amount');
  });

  it('checks the Indodax withdrawal against the payment', () => {
    expect(issues((event) => delete event.data['withdrawal'])).toEqual([]);
    expect(issues((event) => (withdrawal(event)['amount'] = '10'))).toEqual([]);
    expect(issues((event) => (withdrawal(event)['amount'] = '10.5'))).toEqual(['data.withdrawal.amount']);
    expect(issues((event) => (withdrawal(event)['amount'] = '10.000000001'))).toEqual(['data.withdrawal.amount']);
    expect(issues((event) => (withdrawal(event)['amount'] = '1e1'))).toEqual(['data.withdrawal.amount']);
    expect(issues((event) => (withdrawal(event)['currency'] = 'btc'))).toEqual(['data.withdrawal.currency']);
    expect(issues((event) => (withdrawal(event)['currency'] = 'DOGE'))).toEqual(['data.withdrawal.currency']);
    expect(issues((event) => (withdrawal(event)['requestId'] = 'fm-7f3c'))).toEqual(['data.withdrawal.requestId']);
    expect(issues((event) => (withdrawal(event)['requestId'] = 'a'.repeat(256)))).toEqual(['data.withdrawal.requestId']);
    expect(issues((event) => (withdrawal(event)['address'] = ''))).toEqual(['data.withdrawal.address']);
    expect(
      issues((event) => {
        withdrawal(event)['address'] = '';
        withdrawal(event)['username'] = 'User_13';
      }),
    ).toEqual([]);
    expect(issues((event) => (withdrawal(event)['memo'] = '12345'))).toEqual([]);
    expect(issues((event) => (withdrawal(event)['network'] = 'bep20'))).toEqual([]);
    expect(issues((event) => (withdrawal(event)['fee'] = '5'))).toEqual(['data.withdrawal']);
  });

  it('refuses a withdrawal on another provider', () => {
    expect(
      issues((event) => {
        event['provider'] = 'findigi';
        event['account'] = { provider: 'findigi', id: 'w1', key: 'findigi:w1' };
        event['payment'] = { provider: 'findigi', id: 'p1', key: 'findigi:p1' };
        event.data['rawStatus'] = { scheme: 'findigi.transfer', code: 'approved' };
      }),
    ).toEqual(['data.withdrawal']);
  });
});

describe('callback.received', () => {
  const issues = (change: (data: Record<string, unknown>) => void) => issuesAfter('callback.received', (event) => change(event.data));
  const headers = (data: Record<string, unknown>) => child(data['headers']);

  it('only accepts credential headers when redacted', () => {
    expect(issues((data) => (headers(data)['authorization'] = REDACTED_HEADER_VALUE))).toEqual([]);
    expect(issues((data) => (headers(data)['authorization'] = 'Bearer live-token'))).toEqual(['data.headers.authorization']);
    expect(issues((data) => (headers(data)['x-callback-token'] = 'tok'))).toEqual(['data.headers.x-callback-token']);
    expect(issues((data) => (headers(data)['webhook-signature'] = 'v1,abc'))).toEqual(['data.headers.webhook-signature']);
    expect(issues((data) => (headers(data)['sign'] = 'abc'))).toEqual(['data.headers.sign']);
    expect(issues((data) => (headers(data)['Content-Type'] = 'text/plain'))).toEqual(['data.headers.Content-Type']);
  });

  it('checks the body, the parsed view and the verification', () => {
    expect(issues((data) => (data['rawBodyBase64'] = 'not base64!'))).toEqual(['data.rawBodyBase64']);
    expect(issues((data) => (data['rawBodyBase64'] = ''))).toEqual([]);
    expect(issues((data) => delete data['parsedBody'])).toEqual([]);
    expect(issues((data) => (data['parsedBody'] = { amount: '10.00000000', nested: [true, null] }))).toEqual([]);
    expect(issues((data) => (data['parsedBody'] = { amount: 10 }))).toEqual(['data.parsedBody']);
    expect(issues((data) => (data['verification'] = { scheme: 'none' }))).toEqual(['data.verification.scheme']);
    expect(issues((data) => (data['verification'] = { scheme: 'standard-webhooks', keyId: 'whsec-2025-02' }))).toEqual([]);
    expect(issues((data) => (data['verification'] = { scheme: 'callback-token', secret: 'x' }))).toEqual(['data.verification']);
    expect(issues((data) => (data['sourceName'] = 'Indodax Withdraw'))).toEqual(['data.sourceName']);
    expect(issues((data) => (data['idempotencyKey'] = ''))).toEqual(['data.idempotencyKey']);
  });

  it('is always observed by callback', () => {
    expect(issuesAfter('callback.received', (event) => (event['source'] = 'poll'))).toEqual(['source']);
  });

  it('redactCallbackHeaders lower-cases names, joins repeats and redacts credentials', () => {
    expect(
      redactCallbackHeaders({
        'Content-Type': 'application/json',
        Authorization: 'Bearer secret-token',
        'X-Callback-Token': 'secret',
        'Set-Cookie': ['a=1', 'b=2'],
        Accept: ['a', 'b'],
        'x-empty': undefined,
      }),
    ).toEqual({
      'content-type': 'application/json',
      authorization: REDACTED_HEADER_VALUE,
      'x-callback-token': REDACTED_HEADER_VALUE,
      'set-cookie': REDACTED_HEADER_VALUE,
      accept: 'a, b',
    });
  });
});

describe('ledger.discrepancy', () => {
  const issues = (change: (data: Record<string, unknown>) => void) => issuesAfter('ledger.discrepancy', (event) => change(event.data));

  it('requires difference = provider − ledger, in one asset', () => {
    expect(issues((data) => (data['difference'] = { amount: '100', asset: 'EUR/2' }))).toEqual(['data.difference.amount']);
    expect(issues((data) => (data['ledgerBalance'] = { amount: '12510051', asset: 'EUR/2' }))).toEqual([
      'data.difference.amount',
    ]);
    expect(issues((data) => (data['ledgerBalance'] = { amount: '125100.50', asset: 'EUR/2' }))).toEqual([
      'data.ledgerBalance.amount',
    ]);
    expect(issues((data) => (data['providerBalance'] = { amount: '1', asset: 'IDR/0' }))).toEqual(['data.providerBalance.asset']);
  });

  it('cannot be open when the balances agree; cleared when they do', () => {
    const agree = (data: Record<string, unknown>) => {
      data['ledgerBalance'] = data['providerBalance'];
      data['difference'] = { amount: '0', asset: 'EUR/2' };
    };
    expect(issues(agree)).toEqual(['data.status']);
    expect(
      issues((data) => {
        agree(data);
        data['status'] = 'cleared';
      }),
    ).toEqual([]);
    expect(issues((data) => (data['status'] = 'resolved'))).toEqual(['data.status']);
    expect(issues((data) => (data['balanceEventId'] = 'not-an-id'))).toEqual(['data.balanceEventId']);
  });

  it('is always observed by the ledger', () => {
    expect(issuesAfter('ledger.discrepancy', (event) => (event['source'] = 'poll'))).toEqual(['source']);
  });
});

describe('account.closed', () => {
  it('knows deleted and closed; the reason is optional', () => {
    expect(issuesAfter('account.closed', (event) => (event.data['closure'] = 'closed'))).toEqual([]);
    expect(issuesAfter('account.closed', (event) => delete event.data['reason'])).toEqual([]);
    expect(issuesAfter('account.closed', (event) => (event.data['closure'] = 'frozen'))).toEqual(['data.closure']);
    expect(issuesAfter('account.closed', (event) => (event['source'] = 'ledger'))).toEqual(['source']);
  });
});
