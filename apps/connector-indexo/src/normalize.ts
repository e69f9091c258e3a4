import type { PaymentObservation } from '@finmesh/connector-kit';
import {
  accountRef,
  ContractError,
  createEvent,
  formatAsset,
  minorUnitsOf,
  moneyFromDecimal,
  moneyFromMinorUnits,
  paymentRef,
  type BalanceUpdatedEvent,
  type TransactionPostedEvent,
} from '@finmesh/schemas';
import type { IndexoBalance, IndexoTransaction } from './client';

/** ISO 4217 precisions of the currencies an INDEXO (SEPA) account can hold. */
const PRECISIONS: Readonly<Record<string, number>> = { EUR: 2, USD: 2, GBP: 2, SEK: 2, NOK: 2, DKK: 2, PLN: 2, CHF: 2 };

export function assetOf(currency: string): string {
  const precision = PRECISIONS[currency];
  if (precision === undefined || !Object.hasOwn(PRECISIONS, currency)) {
    throw new ContractError('invalid_asset', `INDEXO currency ${JSON.stringify(currency.slice(0, 16))} has no known precision`);
  }
  return formatAsset(currency, precision);
}

export interface ObservationContext {
  observedAt: Date;
  correlationId: string;
}

/**
 * An account's `closingBooked` balance (end of the previous day) as `balance.updated`, dated at
 * the end of its reference day. INDEXO dates bookings by day only; the closing balance is the one
 * whose moment lines up with those dates, so every booking of a later day counts after it in the
 * ledger and every earlier one is contained in it. (`interimBooked` is "now", which no booking
 * date can be compared with.)
 */
export function balanceUpdated(iban: string, balances: readonly IndexoBalance[], context: ObservationContext): BalanceUpdatedEvent {
  const closing = balances.find((balance) => balance.balanceType === 'closingBooked');
  if (!closing || closing.referenceDate === undefined) {
    throw new ContractError('invalid_event', `INDEXO gave no closingBooked balance with a referenceDate for account ${iban.slice(0, 34)}`);
  }
  const asset = assetOf(closing.balanceAmount.currency);
  const asOf = `${closing.referenceDate}T23:59:59.999Z`;
  return createEvent('balance.updated', {
    provider: 'indexo',
    source: 'poll',
    occurredAt: asOf,
    observedAt: context.observedAt.toISOString(),
    account: accountRef('indexo', iban),
    correlationId: context.correlationId,
    data: { asset, booked: moneyFromDecimal(closing.balanceAmount.amount, asset), asOf },
  });
}

/** Berlin Group bank transaction codes (domain-family-subfamily) and the normalized kind. */
function kindOf(code: string | undefined): TransactionPostedEvent['data']['kind'] {
  const family = code?.split('-').slice(0, 2).join('-');
  switch (family) {
    case 'PMNT-ICDT':
    case 'PMNT-RCDT':
      return 'transfer';
    case 'PMNT-CCRD':
      return 'withdrawal';
    default:
      return 'other';
  }
}

/**
 * A booked or pending INDEXO entry as `transaction.posted`. A booked entry is dated at the start
 * of its booking day (INDEXO gives no time). A debit whose endToEndId is a payment finmesh
 * initiated carries that payment's ref, so the ledger books the payment once and releases its hold.
 */
export function transactionPosted(
  iban: string,
  transaction: IndexoTransaction,
  status: 'booked' | 'pending',
  ownPaymentIds: ReadonlySet<string>,
  context: ObservationContext,
): TransactionPostedEvent {
  const asset = assetOf(transaction.transactionAmount.currency);
  const signed = minorUnitsOf(moneyFromDecimal(transaction.transactionAmount.amount, asset));
  if (signed === 0n) throw new ContractError('invalid_amount', `INDEXO transaction ${transaction.transactionId} has a zero amount`);
  const direction = signed < 0n ? 'debit' : 'credit';
  let bookedAt: string | undefined;
  if (status === 'booked') {
    if (transaction.bookingDate === undefined) throw new ContractError('invalid_event', `INDEXO booked transaction ${transaction.transactionId} has no bookingDate`);
    bookedAt = `${transaction.bookingDate}T00:00:00Z`;
  }
  const paymentId = direction === 'debit' && transaction.endToEndId !== undefined && ownPaymentIds.has(transaction.endToEndId) ? transaction.endToEndId : undefined;
  const name = direction === 'debit' ? transaction.creditorName : transaction.debtorName;
  const counterpartyIban = direction === 'debit' ? transaction.creditorAccount?.iban : transaction.debtorAccount?.iban;
  const counterparty = {
    ...(name === undefined || name === '' ? {} : { name }),
    ...(counterpartyIban === undefined || counterpartyIban === '' ? {} : { iban: counterpartyIban }),
  };
  const remittance = transaction.remittanceInformationUnstructured;
  return createEvent('transaction.posted', {
    provider: 'indexo',
    source: 'poll',
    occurredAt: bookedAt ?? context.observedAt.toISOString(),
    observedAt: context.observedAt.toISOString(),
    account: accountRef('indexo', iban),
    ...(paymentId === undefined ? {} : { payment: paymentRef('indexo', paymentId) }),
    correlationId: context.correlationId,
    data: {
      providerTransactionId: transaction.transactionId,
      direction,
      amount: moneyFromMinorUnits(signed < 0n ? -signed : signed, asset),
      kind: kindOf(transaction.bankTransactionCode),
      status,
      ...(bookedAt === undefined ? {} : { bookedAt }),
      ...(transaction.valueDate === undefined ? {} : { valueDate: transaction.valueDate }),
      ...(Object.keys(counterparty).length === 0 ? {} : { counterparty }),
      ...(remittance === undefined || remittance === '' ? {} : { description: remittance }),
    },
  });
}

/**
 * A payment status as the kit applies it. INDEXO's status resources carry no timestamp, so no
 * status version is set: the same status seen by a poll and by a notification is one event.
 */
export function paymentObservation(scheme: 'indexo.iso20022' | 'indexo.sca', code: string, occurredAt: string, reason?: string): PaymentObservation {
  return { rawStatus: { scheme, code }, occurredAt, ...(reason === undefined ? {} : { reason }) };
}
