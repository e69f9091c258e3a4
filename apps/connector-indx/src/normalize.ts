import { ProviderAssets, type PaymentObservation } from '@finmesh/connector-kit';
import {
  accountRef,
  ContractError,
  createEvent,
  minorUnitsOf,
  moneyFromDecimal,
  moneyFromMinorUnits,
  paymentRef,
  type BalanceUpdatedEvent,
  type TransactionPostedEvent,
} from '@finmesh/schemas';
import { DEFAULT_INDX_ASSETS } from './config';
import type { IndxBalance, IndxTransaction, IndxTransfer, IndxWire } from './client';

/** The INDX transaction types and what they are in the normalized contract. */
const KIND_OF_TYPE: Readonly<Record<string, TransactionPostedEvent['data']['kind']>> = {
  deposit: 'deposit',
  wire_in: 'deposit',
  withdrawal: 'withdrawal',
  wire_out: 'withdrawal',
  transfer_in: 'transfer',
  transfer_out: 'transfer',
  fee: 'fee',
  interest: 'other',
};

/** INDX names currencies without their precision; the connector knows them (and never guesses one). */
export class IndxAssets extends ProviderAssets {
  constructor(overrides: Readonly<Record<string, number>> = {}) {
    super('INDX', 'INDX_ASSETS', DEFAULT_INDX_ASSETS, overrides);
  }
}

export interface ObservationContext {
  observedAt: Date;
  correlationId: string;
}

/** An INDX balance as `balance.updated`: booked is the current balance; what is not available is on hold. */
export function balanceUpdated(balance: IndxBalance, assets: IndxAssets, context: ObservationContext): BalanceUpdatedEvent {
  const asset = assets.assetOf(balance.currency);
  const booked = moneyFromDecimal(balance.currentBalance, asset);
  const available = moneyFromDecimal(balance.availableBalance, asset);
  const held = minorUnitsOf(booked) - minorUnitsOf(available);
  return createEvent('balance.updated', {
    provider: 'indx',
    source: 'poll',
    occurredAt: balance.asOf,
    observedAt: context.observedAt.toISOString(),
    account: accountRef('indx', balance.accountId),
    correlationId: context.correlationId,
    data: {
      asset,
      booked,
      available,
      // A credit line can make available exceed booked; then nothing is on hold.
      ...(held >= 0n ? { onHold: moneyFromMinorUnits(held, asset) } : {}),
      asOf: balance.asOf,
    },
  });
}

/**
 * A completed INDX entry as a booked `transaction.posted`; pending and failed entries give none
 * (failed ones never book, pending ones are picked up again when they complete). The debit of a
 * wire or transfer carries the payment ref, so the ledger books the payment once, with it. A fee
 * entry is booked as a fee: the whole amount is the fee.
 */
export function transactionPosted(transaction: IndxTransaction, assets: IndxAssets, context: ObservationContext): TransactionPostedEvent | undefined {
  if (transaction.status !== 'completed') return undefined;
  if (transaction.completedAt === null) throw new ContractError('invalid_event', `INDX transaction ${transaction.id} is completed without completedAt`);
  const kind = KIND_OF_TYPE[transaction.type];
  if (kind === undefined || !Object.hasOwn(KIND_OF_TYPE, transaction.type)) {
    throw new ContractError('invalid_event', `INDX transaction ${transaction.id} has an unknown type ${JSON.stringify(transaction.type.slice(0, 32))}`);
  }
  const asset = assets.assetOf(transaction.currency);
  const signed = minorUnitsOf(moneyFromDecimal(transaction.amount, asset));
  if (signed === 0n) throw new ContractError('invalid_amount', `INDX transaction ${transaction.id} has a zero amount`);
  const amount = moneyFromMinorUnits(signed < 0n ? -signed : signed, asset);
  const direction = signed < 0n ? 'debit' : 'credit';
  const paymentId = direction === 'debit' && transaction.type !== 'fee' ? (transaction.wireTransferId ?? transaction.transferId) : null;
  return createEvent('transaction.posted', {
    provider: 'indx',
    source: 'poll',
    occurredAt: transaction.completedAt,
    observedAt: context.observedAt.toISOString(),
    account: accountRef('indx', transaction.accountId),
    ...(paymentId === null ? {} : { payment: paymentRef('indx', paymentId) }),
    correlationId: context.correlationId,
    data: {
      providerTransactionId: transaction.id,
      direction,
      amount,
      ...(kind === 'fee' ? { fee: amount } : {}),
      kind,
      status: 'booked',
      bookedAt: transaction.completedAt,
      ...(transaction.counterparty !== null && transaction.counterparty !== '' ? { counterparty: { name: transaction.counterparty } } : {}),
      ...(transaction.description === '' ? {} : { description: transaction.description }),
    },
  });
}

/** A wire's or transfer's status as INDX reports it (raw scheme `indx.transfer`); updatedAt versions it. */
export function paymentObservation(payment: IndxWire | IndxTransfer): PaymentObservation {
  const reason = 'failureReason' in payment && payment.failureReason !== null && payment.failureReason !== '' ? payment.failureReason : undefined;
  return {
    rawStatus: { scheme: 'indx.transfer', code: payment.status },
    providerStatusVersion: payment.updatedAt,
    occurredAt: payment.updatedAt,
    ...(reason === undefined ? {} : { reason }),
  };
}
