import type { EventOfType, EventType } from './events';
import { moneyFromDecimal } from './money';
import { accountRef, paymentRef } from './refs';
import { createEvent } from './validation';

/**
 * One valid event of each type, built from the provider documents' own samples. They are the
 * examples in docs/events.md and the AsyncAPI document, and a starting point for other
 * projects' tests (copy with structuredClone before changing one: they are frozen).
 */
const indxAccount = accountRef('indx', 'acc_7Hq2Lm');
const indexoAccount = accountRef('indexo', 'LV62IDXO1001010002370');
const indexoPayment = paymentRef('indexo', '2a32ab8f-dbdb-4056-a2e7-6c361718c861');
const indodaxAccount = accountRef('indodax', '00001');
const indodaxWithdrawal = paymentRef('indodax', 'fm7f3c2a9b41d');

const balanceUpdated = createEvent('balance.updated', {
  provider: 'indx',
  source: 'poll',
  occurredAt: '2025-03-03T09:00:00Z',
  observedAt: '2025-03-03T09:00:02.418Z',
  account: indxAccount,
  correlationId: 'sync-indx-balances-20250303T090000Z',
  data: {
    asset: 'EUR/2',
    booked: moneyFromDecimal('125000.50', 'EUR/2'),
    available: moneyFromDecimal('124000.50', 'EUR/2'),
    onHold: moneyFromDecimal('1000', 'EUR/2'),
    asOf: '2025-03-03T09:00:00Z',
  },
});

const transactionPosted = createEvent('transaction.posted', {
  provider: 'indexo',
  source: 'poll',
  occurredAt: '2025-03-03T10:42:10+02:00',
  observedAt: '2025-03-03T08:45:00.120Z',
  account: indexoAccount,
  payment: indexoPayment,
  correlationId: 'sync-indexo-transactions-20250303T084500Z',
  data: {
    providerTransactionId: 'IDXO-TX-20250303-000184',
    direction: 'debit',
    amount: moneyFromDecimal('100', 'EUR/2'),
    kind: 'transfer',
    status: 'booked',
    bookedAt: '2025-03-03T10:42:10+02:00',
    valueDate: '2025-03-03',
    counterparty: { name: 'James Bond', iban: 'LV26IDXO1001010000787' },
    description: 'Ref number merchant',
  },
});

const paymentStatusChanged = createEvent('payment.status_changed', {
  provider: 'indodax',
  source: 'command',
  occurredAt: '2020-01-13T10:59:20Z',
  observedAt: '2020-01-13T10:59:21.034Z',
  account: indodaxAccount,
  payment: indodaxWithdrawal,
  correlationId: 'withdraw-fm7f3c2a9b41d',
  data: {
    amount: moneyFromDecimal('10.00000000', 'DOGE/8'),
    status: 'accepted',
    rawStatus: { scheme: 'indodax.withdraw', code: 'approved' },
    previousStatus: 'initiated',
    providerStatusVersion: '1578909560',
    providerPaymentId: 'doge-1941965',
    withdrawal: {
      requestId: 'fm7f3c2a9b41d',
      currency: 'doge',
      address: 'D9iCdBLBosJzGSvpQGMSobwtdgB2rS1zam',
      amount: '10.00000000',
    },
  },
});

const indodaxCallbackBody =
  'request_id=fm7f3c2a9b41d&withdraw_currency=doge&withdraw_address=D9iCdBLBosJzGSvpQGMSobwtdgB2rS1zam' +
  '&withdraw_amount=10.00000000&withdraw_memo=&requester_ip=203.0.113.7&request_date=2020-01-13+17%3A59%3A20';

const callbackReceived = createEvent('callback.received', {
  provider: 'indodax',
  source: 'callback',
  occurredAt: '2020-01-13T10:59:20.512Z',
  observedAt: '2020-01-13T10:59:20.512Z',
  correlationId: 'withdraw-fm7f3c2a9b41d',
  data: {
    callbackId: 'cb_01JNQ4Z8R5W2X7YQ3M6T9VBKDA',
    sourceName: 'indodax-withdraw',
    idempotencyKey: 'fm7f3c2a9b41d',
    receivedAt: '2020-01-13T10:59:20.512Z',
    contentType: 'application/x-www-form-urlencoded',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'content-length': String(Buffer.byteLength(indodaxCallbackBody)),
      'user-agent': 'Indodax-Callback/1.0',
    },
    rawBodyBase64: Buffer.from(indodaxCallbackBody, 'utf8').toString('base64'),
    parsedBody: Object.fromEntries(new URLSearchParams(indodaxCallbackBody)),
    verification: { scheme: 'indodax-withdraw-request' },
  },
});

const ledgerDiscrepancy = createEvent('ledger.discrepancy', {
  provider: 'indx',
  source: 'ledger',
  occurredAt: '2025-03-03T09:00:02.950Z',
  observedAt: '2025-03-03T09:00:02.950Z',
  account: indxAccount,
  correlationId: 'sync-indx-balances-20250303T090000Z',
  data: {
    asset: 'EUR/2',
    ledgerBalance: moneyFromDecimal('125100.50', 'EUR/2'),
    providerBalance: moneyFromDecimal('125000.50', 'EUR/2'),
    difference: moneyFromDecimal('-100', 'EUR/2'),
    status: 'open',
    balanceEventId: balanceUpdated.id,
  },
});

const accountClosed = createEvent('account.closed', {
  provider: 'finx',
  source: 'command',
  occurredAt: '2025-03-04T12:00:00Z',
  observedAt: '2025-03-04T12:00:00.210Z',
  account: accountRef('finx', 'xgQQXg3hrtjh7AvZ'),
  correlationId: 'close-finx-xgQQXg3hrtjh7AvZ',
  data: { closure: 'deleted', reason: 'customer offboarded' },
});

export const EXAMPLE_EVENTS: { readonly [Type in EventType]: EventOfType<Type> } = deepFreeze({
  'balance.updated': balanceUpdated,
  'transaction.posted': transactionPosted,
  'payment.status_changed': paymentStatusChanged,
  'callback.received': callbackReceived,
  'ledger.discrepancy': ledgerDiscrepancy,
  'account.closed': accountClosed,
});

/** A fixed traceparent for examples and tests. */
export const EXAMPLE_TRACEPARENT = '00-5c1e3a9f0b7d4e2a8c6f1d3b9a7e5c20-3f9a1c7e5b2d8046-01';

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
