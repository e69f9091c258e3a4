import type { BookEntry } from '../core/book';
import { formatMinor } from '../core/money';
import { iso } from '../core/time';
import type { AccountTransfer, DepositLocation, ExternalAccount, IndxAccount, IndxEntryMeta, WireTransfer } from './model';
import type { IndxState } from './state';

/** INDX JSON: camelCase, amounts as decimal strings of the account's currency. */
export function renderAccount(account: IndxAccount): Record<string, unknown> {
  return {
    id: account.id,
    name: account.name,
    accountNumber: account.accountNumber,
    currency: account.asset.code,
    type: account.type,
    status: 'active',
    provider: account.provider,
    createdAt: iso(account.createdAt),
  };
}

export function renderBalance(state: IndxState, account: IndxAccount, now: number): Record<string, unknown> {
  const precision = account.asset.precision;
  return {
    accountId: account.id,
    currency: account.asset.code,
    currentBalance: formatMinor(state.book.balance(account.id), precision),
    availableBalance: formatMinor(state.book.available(account.id), precision),
    pendingBalance: formatMinor(-state.book.onHold(account.id) + state.book.pendingCredits(account.id), precision),
    asOf: iso(now),
  };
}

export function renderDepositLocation(location: DepositLocation): Record<string, unknown> {
  return { id: location.id, accountId: location.accountId, type: location.type, currency: location.currency, ...location.details };
}

export function renderExternalAccount(account: ExternalAccount): Record<string, unknown> {
  return {
    id: account.id,
    name: account.name,
    bankName: account.bankName,
    routingNumber: account.routingNumber,
    accountNumberLast4: account.accountNumber.slice(-4),
    currency: account.currency,
    type: 'wire',
    status: 'verified',
    createdAt: iso(account.createdAt),
  };
}

export function renderTransaction(entry: BookEntry<IndxEntryMeta>): Record<string, unknown> {
  return {
    id: entry.id,
    accountId: entry.accountId,
    type: entry.kind,
    status: entry.status === 'booked' ? 'completed' : entry.status === 'pending' ? 'pending' : 'failed',
    amount: formatMinor(entry.amount, entry.asset.precision),
    currency: entry.asset.code,
    description: entry.description,
    reference: entry.meta.reference,
    counterparty: entry.meta.counterparty ?? null,
    wireTransferId: entry.meta.wireTransferId ?? null,
    transferId: entry.meta.transferId ?? null,
    createdAt: iso(entry.createdAt),
    completedAt: entry.status === 'booked' && entry.settledAt !== undefined ? iso(entry.settledAt) : null,
  };
}

export function renderWire(wire: WireTransfer): Record<string, unknown> {
  const precision = wire.asset.precision;
  return {
    id: wire.id,
    accountId: wire.accountId,
    externalAccountId: wire.externalAccountId,
    amount: formatMinor(wire.amount, precision),
    fee: formatMinor(wire.fee, precision),
    currency: wire.asset.code,
    reference: wire.reference,
    memo: wire.memo,
    status: wire.status,
    failureReason: wire.failureReason ?? null,
    transactionIds: wire.entryIds,
    createdAt: iso(wire.createdAt),
    updatedAt: iso(wire.updatedAt),
  };
}

export function renderTransfer(transfer: AccountTransfer): Record<string, unknown> {
  return {
    id: transfer.id,
    fromAccountId: transfer.fromAccountId,
    toAccountId: transfer.toAccountId,
    amount: formatMinor(transfer.amount, transfer.asset.precision),
    currency: transfer.asset.code,
    description: transfer.description,
    status: transfer.status,
    transactionIds: transfer.creditEntryId === undefined ? [transfer.debitEntryId] : [transfer.debitEntryId, transfer.creditEntryId],
    createdAt: iso(transfer.createdAt),
    updatedAt: iso(transfer.updatedAt),
  };
}
