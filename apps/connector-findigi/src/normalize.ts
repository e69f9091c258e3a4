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
import type { FindigiHistoryItem, FindigiTransfer, FindigiVaultBalance, FindigiVaultTransaction } from './client';
import { DEFAULT_FINDIGI_ASSETS } from './config';

type TransactionKind = TransactionPostedEvent['data']['kind'];

/** Wallet history types and what they are in the normalized contract; an unknown type is `other`, never dropped. */
const KIND_OF_WALLET_TYPE: Readonly<Record<string, TransactionKind>> = {
  topup: 'deposit',
  deposit: 'deposit',
  virtual_account_deposit: 'deposit',
  transfer_in: 'transfer',
  transfer_out: 'transfer',
  transfer_to_bank: 'withdrawal',
  payout: 'withdrawal',
  withdrawal: 'withdrawal',
  fee: 'fee',
  refund: 'adjustment',
  adjustment: 'adjustment',
};

/** FinVault transaction types (onramp, offramp, swap, bridge, on-chain) in the normalized contract. */
const KIND_OF_VAULT_TYPE: Readonly<Record<string, TransactionKind>> = {
  onchain_receive: 'deposit',
  onchain_transfer: 'withdrawal',
  onramp: 'trade',
  offramp: 'trade',
  swap: 'trade',
  bridge: 'transfer',
};

/** Wallet history entries that belong to a transfer finmesh tracks as a payment. */
const PAYMENT_REFERENCE_TYPES = new Set(['wallet_transfer', 'bank_transfer', 'payout']);

/** FinDIGI names currencies without their precision; the connector knows them and never guesses one. */
export class FindigiAssets extends ProviderAssets {
  constructor(overrides: Readonly<Record<string, number>> = {}) {
    super('FinDIGI', 'FINDIGI_ASSETS', DEFAULT_FINDIGI_ASSETS, overrides);
  }
}

export interface ObservationContext {
  observedAt: Date;
  correlationId: string;
}

/** The ledger account of a FinVault position: one per wallet and asset, as the sandbox's ground truth names it. */
export function vaultAccountId(walletId: string, symbol: string): string {
  return `${walletId}:${symbol}`;
}

function balanceEvent(accountId: string, asset: string, balance: string, available: string, asOf: string, context: ObservationContext): BalanceUpdatedEvent {
  const booked = moneyFromDecimal(balance, asset);
  const availableMoney = moneyFromDecimal(available, asset);
  const held = minorUnitsOf(booked) - minorUnitsOf(availableMoney);
  return createEvent('balance.updated', {
    provider: 'findigi',
    source: 'poll',
    occurredAt: asOf,
    observedAt: context.observedAt.toISOString(),
    account: accountRef('findigi', accountId),
    correlationId: context.correlationId,
    data: { asset, booked, available: availableMoney, ...(held >= 0n ? { onHold: moneyFromMinorUnits(held, asset) } : {}), asOf },
  });
}

/** A fiat wallet's balance in one currency. */
export function walletBalanceUpdated(
  walletId: string,
  balance: { currency: string; balance: string; available_balance: string },
  asOf: string,
  assets: FindigiAssets,
  context: ObservationContext,
): BalanceUpdatedEvent {
  return balanceEvent(walletId, assets.assetOf(balance.currency), balance.balance, balance.available_balance, asOf, context);
}

/**
 * A FinVault wallet's position in one crypto asset. FinDIGI gives no as-of time for it; `asOf`
 * should be on FinDIGI's clock like the FinVault transactions' `confirmed_at` — the sync passes
 * the `as_of` of a wallet balance read just before — because the ledger counts the bookings dated
 * up to a balance's asOf as already in it: a connector-clock asOf ahead of FinDIGI's would make it
 * take every later confirmation out again. Without one, the observation time.
 */
export function vaultBalanceUpdated(
  walletId: string,
  balance: FindigiVaultBalance,
  assets: FindigiAssets,
  context: ObservationContext,
  asOf: string = context.observedAt.toISOString(),
): BalanceUpdatedEvent {
  return balanceEvent(vaultAccountId(walletId, balance.symbol), assets.assetOf(balance.symbol), balance.balance, balance.available_balance, asOf, context);
}

function kindOf(table: Readonly<Record<string, TransactionKind>>, type: string): TransactionKind {
  return Object.hasOwn(table, type) ? (table[type] ?? 'other') : 'other';
}

/**
 * A completed wallet history entry as a booked `transaction.posted`; pending and cancelled ones
 * give none (a cancelled hold never booked). The debit of a transfer carries the payment ref, so
 * the ledger settles the payment with it; a fee entry is booked as a fee.
 */
export function walletTransactionPosted(item: FindigiHistoryItem, assets: FindigiAssets, context: ObservationContext): TransactionPostedEvent | undefined {
  if (item.status !== 'completed') return undefined;
  if (item.completed_at === null) throw new ContractError('invalid_event', `FinDIGI history entry ${item.id} is completed without completed_at`);
  const asset = assets.assetOf(item.currency);
  const amount = moneyFromDecimal(item.amount, asset);
  if (minorUnitsOf(amount) === 0n) throw new ContractError('invalid_amount', `FinDIGI history entry ${item.id} has a zero amount`);
  const kind = kindOf(KIND_OF_WALLET_TYPE, item.type);
  const paymentId = item.direction === 'debit' && kind !== 'fee' && item.reference_type !== null && PAYMENT_REFERENCE_TYPES.has(item.reference_type) ? item.reference_id : null;
  return createEvent('transaction.posted', {
    provider: 'findigi',
    source: 'poll',
    occurredAt: item.completed_at,
    observedAt: context.observedAt.toISOString(),
    account: accountRef('findigi', item.wallet_id),
    ...(paymentId === null ? {} : { payment: paymentRef('findigi', paymentId) }),
    correlationId: context.correlationId,
    data: {
      providerTransactionId: item.id,
      direction: item.direction,
      amount,
      ...(kind === 'fee' ? { fee: amount } : {}),
      kind,
      status: 'booked',
      bookedAt: item.completed_at,
      ...(item.description === null || item.description === '' ? {} : { description: item.description }),
    },
  });
}

/** A confirmed FinVault transaction, in the asset's own precision (USDC/6 …); pending and failed ones book nothing. */
export function vaultTransactionPosted(transaction: FindigiVaultTransaction, assets: FindigiAssets, context: ObservationContext): TransactionPostedEvent | undefined {
  if (transaction.status !== 'confirmed' && transaction.status !== 'completed') return undefined;
  if (transaction.confirmed_at === null) throw new ContractError('invalid_event', `FinVault transaction ${transaction.id} is confirmed without confirmed_at`);
  const amount = moneyFromDecimal(transaction.amount, assets.assetOf(transaction.symbol));
  if (minorUnitsOf(amount) === 0n) throw new ContractError('invalid_amount', `FinVault transaction ${transaction.id} has a zero amount`);
  const counterparty = transaction.counterparty_address ?? '';
  return createEvent('transaction.posted', {
    provider: 'findigi',
    source: 'poll',
    occurredAt: transaction.confirmed_at,
    observedAt: context.observedAt.toISOString(),
    account: accountRef('findigi', vaultAccountId(transaction.wallet_id, transaction.symbol)),
    correlationId: context.correlationId,
    data: {
      providerTransactionId: transaction.id,
      direction: transaction.direction === 'in' ? 'credit' : 'debit',
      amount,
      kind: kindOf(KIND_OF_VAULT_TYPE, transaction.type),
      status: 'booked',
      bookedAt: transaction.confirmed_at,
      ...(counterparty === '' ? {} : { counterparty: { address: counterparty } }),
      ...(transaction.tx_hash === null || transaction.tx_hash === undefined || transaction.tx_hash === '' ? {} : { description: `tx ${transaction.tx_hash}` }),
    },
  });
}

/**
 * A transfer's status as FinDIGI reports it (raw scheme `findigi.transfer`). `updated_at` versions
 * it: a webhook and a poll that see the same change give the same event id, so it is published once.
 */
export function paymentObservation(transfer: Pick<FindigiTransfer, 'status' | 'updated_at' | 'failure_reason'>): PaymentObservation {
  const reason = transfer.failure_reason ?? '';
  return {
    rawStatus: { scheme: 'findigi.transfer', code: transfer.status },
    providerStatusVersion: transfer.updated_at,
    occurredAt: transfer.updated_at,
    ...(reason === '' ? {} : { reason }),
  };
}
