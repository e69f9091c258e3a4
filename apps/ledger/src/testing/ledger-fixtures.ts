import type { ConsumedRecord } from '@finmesh/kafka';
import {
  accountRef,
  createEvent,
  moneyFromDecimal,
  normalizeProviderStatus,
  paymentRef,
  topicOf,
  type BalanceUpdatedEvent,
  type FinmeshEvent,
  type PaymentStatusChangedEvent,
  type TransactionPostedEvent,
} from '@finmesh/schemas';

/** Builders of valid events for ledger tests (INDEXO accounts in EUR/2 unless told otherwise). */
export const indexoAccount = (id: string) => accountRef('indexo', id);

export function balanceEvent(accountId: string, booked: string, asOf: string, asset = 'EUR/2'): BalanceUpdatedEvent {
  return createEvent('balance.updated', {
    provider: 'indexo',
    source: 'poll',
    occurredAt: asOf,
    observedAt: asOf,
    account: indexoAccount(accountId),
    correlationId: `test-balance-${accountId}`,
    data: { asset, booked: moneyFromDecimal(booked, asset), asOf },
  });
}

export interface TransactionOptions {
  direction?: 'credit' | 'debit';
  fee?: string;
  asset?: string;
  paymentId?: string;
  status?: 'booked' | 'pending';
}

export function transactionEvent(
  accountId: string,
  transactionId: string,
  amount: string,
  bookedAt: string,
  options: TransactionOptions = {},
): TransactionPostedEvent {
  const asset = options.asset ?? 'EUR/2';
  const status = options.status ?? 'booked';
  return createEvent('transaction.posted', {
    provider: 'indexo',
    source: 'poll',
    occurredAt: bookedAt,
    observedAt: bookedAt,
    account: indexoAccount(accountId),
    ...(options.paymentId ? { payment: paymentRef('indexo', options.paymentId) } : {}),
    correlationId: `test-tx-${transactionId}`,
    data: {
      providerTransactionId: transactionId,
      direction: options.direction ?? 'credit',
      amount: moneyFromDecimal(amount, asset),
      ...(options.fee ? { fee: moneyFromDecimal(options.fee, asset) } : {}),
      kind: 'transfer',
      status,
      ...(status === 'booked' ? { bookedAt } : {}),
    },
  });
}

/** INDEXO ISO 20022 codes: RCVD initiated, ACTC accepted, ACSP processing, ACSC settled, RJCT rejected. */
export function paymentStatusEvent(
  accountId: string,
  paymentId: string,
  amount: string,
  code: string,
  occurredAt: string,
  source: 'poll' | 'callback' = 'poll',
): PaymentStatusChangedEvent {
  return createEvent('payment.status_changed', {
    provider: 'indexo',
    source,
    occurredAt,
    observedAt: occurredAt,
    account: indexoAccount(accountId),
    payment: paymentRef('indexo', paymentId),
    correlationId: `test-payment-${paymentId}`,
    data: {
      amount: moneyFromDecimal(amount, 'EUR/2'),
      status: normalizeProviderStatus('indexo.iso20022', code),
      rawStatus: { scheme: 'indexo.iso20022', code },
    },
  });
}

let offset = 0;

/** The consumed-record form of an event, as the batch consumer hands it over. */
export function recordOf(event: FinmeshEvent, prefix = ''): ConsumedRecord {
  offset += 1;
  return {
    topic: topicOf(event, prefix),
    partition: 0,
    offset: String(offset),
    key: Buffer.from('key'),
    value: Buffer.from(JSON.stringify(event)),
    headers: {},
    timestamp: String(Date.now()),
  };
}
