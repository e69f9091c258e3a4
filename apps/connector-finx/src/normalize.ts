import { ProviderAssets } from '@finmesh/connector-kit';
import {
  accountRef,
  ContractError,
  createEvent,
  moneyFromDecimal,
  moneyFromMinorUnits,
  moneyToDecimal,
  type AccountClosedEvent,
  type BalanceUpdatedEvent,
  type TransactionPostedEvent,
  type EventSource,
  type Money,
} from '@finmesh/schemas';
import { z } from 'zod';
import type { FinxAccount } from './client';
import { DEFAULT_FINX_ASSETS } from './config';

/** Kinds of the records the connector keeps (served under the collection in brackets). */
export const RESOURCE_KINDS = {
  /** Fin X's account JSON as last listed or returned (`accounts`). */
  account: 'account',
  /** The balance last published as `balance.updated` (`balances`): what the next sync compares with. */
  balance: 'balance',
  /** Accounts reported as `account.closed` (`closed-accounts`). */
  closedAccount: 'closed_account',
} as const;

/** Fin X names currencies without their precision (in any case); the connector knows them and never guesses one. */
export class FinxAssets extends ProviderAssets {
  constructor(overrides: Readonly<Record<string, number>> = {}) {
    super('Fin X', 'FINX_ASSETS', DEFAULT_FINX_ASSETS, overrides, (currency) => currency.toUpperCase());
  }
}

/**
 * A Fin X balance in minor units, exactly. The text is what Fin X wrote (parsed losslessly); a
 * value with more decimals than the currency has (USD 10.005) is refused, never rounded.
 */
export function balanceOf(account: FinxAccount, assets: FinxAssets): Money {
  const asset = assets.assetOf(account.currency);
  try {
    return moneyFromDecimal(account.balance, asset);
  } catch (error: unknown) {
    if (!(error instanceof ContractError)) throw error;
    throw new ContractError('invalid_amount', `Fin X account ${account.id}: balance ${account.balance.slice(0, 40)} ${account.currency} cannot be represented exactly in ${asset}: ${error.message}`);
  }
}

/**
 * The JSON number Fin X documents for `balance`, written so that it means exactly `money`. The
 * kit's client serializes with JSON.stringify, which writes a double's shortest decimal; that is
 * exactly the intended decimal when it has at most 15 significant digits, and this checks it by
 * converting the number back. Larger values cannot be sent exactly and are refused.
 */
export function exactJsonNumber(money: Money): number {
  const decimal = moneyToDecimal(money);
  const value = Number(decimal);
  let back: Money | undefined;
  try {
    back = moneyFromDecimal(value, money.asset);
  } catch (error: unknown) {
    if (!(error instanceof ContractError)) throw error;
  }
  if (back?.amount !== money.amount) {
    throw new ContractError('invalid_amount', `balance ${decimal} ${money.asset} cannot be sent to Fin X exactly as a JSON number (at most 15 significant digits)`);
  }
  return value;
}

/** Fin X timestamps are Unix seconds. */
export function isoOfUnixSeconds(seconds: string): string {
  return new Date(Number(seconds) * 1000).toISOString();
}

/**
 * What the connector remembers of the last balance it published for an account. `rechecked`
 * false: the balance came with a movement and is published once more on the next run (see
 * balanceChange); absent in records kept before movements were published.
 */
export const KeptBalanceSchema = z.object({ asset: z.string(), amount: z.string(), updatedAt: z.string(), eventId: z.string(), rechecked: z.boolean().optional(), closedAsset: z.string().optional() });
export type KeptBalance = z.infer<typeof KeptBalanceSchema>;

export function keptBalanceOf(data: unknown): KeptBalance | undefined {
  const parsed = KeptBalanceSchema.safeParse(data);
  return parsed.success ? parsed.data : undefined;
}

export interface ObservationContext {
  observedAt: Date;
  correlationId: string;
  source: Extract<EventSource, 'poll' | 'command'>;
}

export interface BalanceChange {
  events: Array<BalanceUpdatedEvent | TransactionPostedEvent>;
  /** The balance to remember once the events are published. */
  kept: KeptBalance;
}

/**
 * The events an account's current state calls for, given the last published balance.
 *
 * - The first balance of an account: `balance.updated` only; it opens the account in the ledger.
 * - A new balance: Fin X reports balances, never the movements behind them, and the ledger books
 *   money only from `transaction.posted`. So the difference is published as a booked `adjustment`
 *   dated at `updated_at` (Fin X's clock, like the balance's asOf), then the balance: the ledger's
 *   booked balance follows Fin X and the balance compares equal. For a currency change, the old
 *   position is closed (zero balance of the old asset) and the account reopens in the new one,
 *   each with its movement.
 * - Unchanged: nothing, except once after a change. Topics are not ordered with each other, so
 *   the ledger may compare the balance before it books the movement and open a discrepancy that
 *   only a later balance can clear; the same balance is therefore published once more on the
 *   next run (asOf unchanged, providerVersion `<updated_at>:recheck`).
 *
 * `updated_at` is the version (asOf and providerVersion), so the same state always gives the
 * same event ids, whether a sync or a command observed it.
 */
export function balanceChange(account: FinxAccount, previous: KeptBalance | undefined, assets: FinxAssets, context: ObservationContext): BalanceChange | undefined {
  const booked = balanceOf(account, assets);
  if (previous !== undefined && previous.asset === booked.asset && previous.amount === booked.amount) {
    if (previous.rechecked !== false) return undefined;
    const asOfPrevious = isoOfUnixSeconds(previous.updatedAt);
    const recheck = balanceUpdated(account.id, booked, asOfPrevious, `${previous.updatedAt}:recheck`, context);
    // After a currency change the closed position's zero balance raced its movement too.
    const closedRecheck =
      previous.closedAsset === undefined ? [] : [balanceUpdated(account.id, moneyFromMinorUnits(0n, previous.closedAsset), asOfPrevious, `${previous.updatedAt}:recheck`, context)];
    const { closedAsset: _closed, ...rest } = previous;
    return { events: [...closedRecheck, recheck], kept: { ...rest, rechecked: true } };
  }
  const asOf = isoOfUnixSeconds(account.updated_at);
  const events: BalanceChange['events'] = [];
  if (previous !== undefined && previous.asset !== booked.asset && previous.amount !== '0') {
    const closed = balanceUpdated(account.id, moneyFromMinorUnits(0n, previous.asset), asOf, account.updated_at, context);
    events.push(movement(account.id, -BigInt(previous.amount), previous.asset, asOf, closed.id, context), closed);
  }
  const current = balanceUpdated(account.id, booked, asOf, account.updated_at, context);
  if (previous !== undefined) {
    const before = previous.asset === booked.asset ? BigInt(previous.amount) : 0n;
    const delta = BigInt(booked.amount) - before;
    if (delta !== 0n) events.push(movement(account.id, delta, booked.asset, asOf, current.id, context));
  }
  events.push(current);
  const kept: KeptBalance = { asset: booked.asset, amount: booked.amount, updatedAt: account.updated_at, eventId: current.id };
  if (previous !== undefined) kept.rechecked = false;
  if (previous !== undefined && previous.asset !== booked.asset && previous.amount !== '0') kept.closedAsset = previous.asset;
  return { events, kept };
}

/**
 * A balance change as a booked adjustment. Its id names the balance event that revealed it, so
 * the same change is one transaction whoever observes it, and two changes never share an id.
 */
function movement(accountId: string, delta: bigint, asset: string, asOf: string, balanceEventId: string, context: ObservationContext): TransactionPostedEvent {
  return createEvent('transaction.posted', {
    provider: 'finx',
    source: context.source,
    occurredAt: asOf,
    observedAt: context.observedAt.toISOString(),
    account: accountRef('finx', accountId),
    correlationId: context.correlationId,
    data: {
      providerTransactionId: `balance-change:${balanceEventId}`,
      direction: delta > 0n ? 'credit' : 'debit',
      amount: moneyFromMinorUnits(delta > 0n ? delta : -delta, asset),
      kind: 'adjustment',
      status: 'booked',
      bookedAt: asOf,
      description: 'Fin X balance change (Fin X reports balances, not the movements behind them)',
    },
  });
}

function balanceUpdated(accountId: string, booked: Money, asOf: string, version: string, context: ObservationContext): BalanceUpdatedEvent {
  return createEvent('balance.updated', {
    provider: 'finx',
    source: context.source,
    occurredAt: asOf,
    observedAt: context.observedAt.toISOString(),
    account: accountRef('finx', accountId),
    correlationId: context.correlationId,
    // Fin X reports one balance: there is no available or held amount to give.
    data: { asset: booked.asset, booked, asOf, providerVersion: version },
  });
}

/** A deleted account. Fin X gives no deletion time, so it is when finmesh deleted it or noticed. */
export function accountClosed(accountId: string, context: ObservationContext, reason?: string): AccountClosedEvent {
  return createEvent('account.closed', {
    provider: 'finx',
    source: context.source,
    occurredAt: context.observedAt.toISOString(),
    observedAt: context.observedAt.toISOString(),
    account: accountRef('finx', accountId),
    correlationId: context.correlationId,
    data: { closure: 'deleted', ...(reason === undefined ? {} : { reason }) },
  });
}
