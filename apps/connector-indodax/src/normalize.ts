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
  type Money,
  type TransactionPostedEvent,
} from '@finmesh/schemas';
import { splitPair, type IndodaxInfo, type IndodaxOrder, type IndodaxTrade, type IndodaxTransfer, type IndodaxWithdrawResult } from './client';

/**
 * Indodax writes IDR without decimals and every coin with 8 (`"btc": "0.00000000"`); a currency
 * with another precision is configured (INDODAX_ASSETS). A value with more decimals than its
 * asset allows is refused by moneyFromDecimal, never rounded.
 */
export class IndodaxAssets {
  constructor(private readonly overrides: Readonly<Record<string, number>> = {}) {}

  assetOf(currency: string): string {
    const code = currency.toLowerCase();
    if (!/^[a-z0-9]{1,32}$/.test(code)) throw new ContractError('invalid_asset', `Indodax currency ${JSON.stringify(currency.slice(0, 16))} is not a currency code`);
    const precision = Object.hasOwn(this.overrides, code) ? this.overrides[code] : code === 'idr' ? 0 : 8;
    return formatAsset(code.toUpperCase(), precision ?? 8);
  }
}

/** One ledger account per currency: the account id is the currency code as Indodax writes it (`idr`, `btc`). */
export function currencyAccount(currency: string): ReturnType<typeof accountRef> {
  return accountRef('indodax', currency.toLowerCase());
}

export interface ObservationContext {
  observedAt: Date;
  correlationId: string;
}

function unixSecondsToIso(seconds: string): string {
  return new Date(Number(seconds) * 1000).toISOString();
}

/**
 * getInfo as one `balance.updated` per currency: `balance` is what is available, `balance_hold`
 * what open orders and pending withdrawals hold; the book (what the ledger reconciles) is both.
 */
export function balancesUpdated(info: IndodaxInfo, assets: IndodaxAssets, context: ObservationContext): BalanceUpdatedEvent[] {
  const asOf = unixSecondsToIso(info.server_time);
  return Object.entries(info.balance).map(([currency, availableText]) => {
    const asset = assets.assetOf(currency);
    const available = moneyFromDecimal(availableText, asset);
    const onHold = moneyFromDecimal(info.balance_hold[currency] ?? '0', asset);
    const booked = moneyFromMinorUnits(minorUnitsOf(available) + minorUnitsOf(onHold), asset);
    return createEvent('balance.updated', {
      provider: 'indodax',
      source: 'poll',
      occurredAt: asOf,
      observedAt: context.observedAt.toISOString(),
      account: currencyAccount(currency),
      correlationId: context.correlationId,
      data: { asset, booked, available, onHold, asOf },
    });
  });
}

/** A deposit's or withdrawal's gross amount: `rp` for IDR, the field named after the coin otherwise. */
function grossOf(transfer: IndodaxTransfer, currency: string): string {
  const gross = currency === 'idr' ? transfer.rp : transfer[currency];
  if (typeof gross !== 'string') throw new ContractError('invalid_event', `Indodax ${currency} entry has no gross amount (${currency === 'idr' ? 'rp' : currency})`);
  return gross;
}

export type TransferDirection = 'deposit' | 'withdraw';

/**
 * A transHistory deposit (credit) or withdrawal (debit) as `transaction.posted`: the gross
 * amount with the fee beside it (for a coin deposit without a fee field, gross − amount). A
 * `success` entry is booked at its success time; anything else is pending. A withdrawal finmesh
 * requested carries its payment ref, so the ledger settles that payment with it, once.
 */
export function transferPosted(
  direction: TransferDirection,
  currency: string,
  transfer: IndodaxTransfer,
  assets: IndodaxAssets,
  context: ObservationContext & { paymentRequestId?: string },
): TransactionPostedEvent {
  const asset = assets.assetOf(currency);
  const transferId = direction === 'deposit' ? transfer.deposit_id : transfer.withdraw_id;
  if (transferId === undefined) throw new ContractError('invalid_event', `Indodax ${currency} ${direction} without its id`);
  const gross = moneyFromDecimal(grossOf(transfer, currency), asset);
  const net = moneyFromDecimal(transfer.amount, asset);
  const fee = transfer.fee === undefined ? moneyFromMinorUnits(minorUnitsOf(gross) - minorUnitsOf(net), asset) : moneyFromDecimal(transfer.fee, asset);
  if (minorUnitsOf(gross) <= 0n) throw new ContractError('invalid_amount', `Indodax ${direction} ${transferId} has no positive amount`);
  if (minorUnitsOf(fee) < 0n || minorUnitsOf(fee) > minorUnitsOf(gross)) throw new ContractError('invalid_amount', `Indodax ${direction} ${transferId} has a fee outside its amount`);
  const booked = transfer.status === 'success' && transfer.success_time !== undefined && transfer.success_time !== '0';
  const bookedAt = booked && transfer.success_time !== undefined ? unixSecondsToIso(transfer.success_time) : undefined;
  const submitted = transfer.submit_time !== undefined && transfer.submit_time !== '0' ? unixSecondsToIso(transfer.submit_time) : undefined;
  const counterparty = transfer.username ?? transfer.address;
  return createEvent('transaction.posted', {
    provider: 'indodax',
    source: 'poll',
    occurredAt: bookedAt ?? submitted ?? context.observedAt.toISOString(),
    observedAt: context.observedAt.toISOString(),
    account: currencyAccount(currency),
    ...(context.paymentRequestId === undefined ? {} : { payment: paymentRef('indodax', context.paymentRequestId) }),
    correlationId: context.correlationId,
    data: {
      providerTransactionId: `${direction}:${currency}:${transferId}`,
      direction: direction === 'deposit' ? 'credit' : 'debit',
      amount: gross,
      ...(minorUnitsOf(fee) > 0n ? { fee } : {}),
      kind: direction === 'deposit' ? 'deposit' : 'withdrawal',
      ...(bookedAt === undefined ? { status: 'pending' as const } : { status: 'booked' as const, bookedAt }),
      ...(counterparty === undefined || counterparty === '' ? {} : { counterparty: { address: counterparty } }),
      ...(transfer.tx === undefined || transfer.tx === '' ? {} : { description: transfer.tx.slice(0, 500) }),
    },
  });
}

/**
 * The quote amount of a fill: base × price, in quote minor units. Indodax shows only the base
 * amount and the price; the exchange rounds in its own favour — up for what a buyer pays, down
 * for what a seller gets — which is what its balances show.
 */
export function quoteAmountOf(side: 'buy' | 'sell', base: Money, price: Money): bigint {
  const basePrecision = BigInt(base.asset.split('/')[1] ?? '0');
  const scale = 10n ** basePrecision;
  const product = minorUnitsOf(base) * minorUnitsOf(price);
  return side === 'buy' ? (product + scale - 1n) / scale : product / scale;
}

/** Client order ids finmesh gives its orders: the payment a fill settles. */
export const FINMESH_CLIENT_ORDER_PREFIX = 'fm-';

/**
 * A fill as two `transaction.posted`: what was spent (debit) and what was received (credit, with
 * the trading fee Indodax kept from it). A fill of a finmesh order carries that order's payment
 * ref on its spending leg, which releases the order's hold in the ledger.
 */
export function tradePosted(pair: string, trade: IndodaxTrade, assets: IndodaxAssets, context: ObservationContext): TransactionPostedEvent[] {
  const [baseCode, quoteCode] = splitPair(pair);
  const baseText = trade[baseCode];
  if (typeof baseText !== 'string') throw new ContractError('invalid_event', `Indodax trade ${trade.trade_id} has no ${baseCode} amount`);
  const base = moneyFromDecimal(baseText, assets.assetOf(baseCode));
  const price = moneyFromDecimal(trade.price, assets.assetOf(quoteCode));
  const quote = moneyFromMinorUnits(quoteAmountOf(trade.type, base, price), assets.assetOf(quoteCode));
  const [spent, spentCode, received, receivedCode] = trade.type === 'buy' ? [quote, quoteCode, base, baseCode] : [base, baseCode, quote, quoteCode];
  const fee = moneyFromDecimal(trade.fee, received.asset);
  const at = unixSecondsToIso(trade.trade_time);
  const finmeshOrder = trade.client_order_id?.startsWith(FINMESH_CLIENT_ORDER_PREFIX) === true;
  const description = `${trade.type} ${pair} order ${trade.order_id} at ${trade.price}`;
  const leg = (currency: string, direction: 'debit' | 'credit', amount: Money, legFee: Money | undefined, withPayment: boolean): TransactionPostedEvent =>
    createEvent('transaction.posted', {
      provider: 'indodax',
      source: 'poll',
      occurredAt: at,
      observedAt: context.observedAt.toISOString(),
      account: currencyAccount(currency),
      ...(withPayment ? { payment: paymentRef('indodax', trade.order_id) } : {}),
      correlationId: context.correlationId,
      data: {
        providerTransactionId: `trade:${pair}:${trade.trade_id}:${currency}`,
        direction,
        amount,
        ...(legFee !== undefined && minorUnitsOf(legFee) > 0n ? { fee: legFee } : {}),
        kind: 'trade',
        status: 'booked',
        bookedAt: at,
        description,
      },
    });
  const events: TransactionPostedEvent[] = [];
  if (minorUnitsOf(spent) > 0n) events.push(leg(spentCode, 'debit', spent, undefined, finmeshOrder));
  if (minorUnitsOf(received) > 0n) events.push(leg(receivedCode, 'credit', received, fee, false));
  return events;
}

/**
 * Order statuses in the only Indodax status scheme the contract has (`indodax.withdraw`): a
 * resting order is accepted, a filled one settled, a cancelled one cancelled.
 */
export function orderObservation(order: Pick<IndodaxOrder, 'status' | 'finish_time' | 'submit_time'>, observedAt: Date): PaymentObservation {
  const status = order.status ?? 'open';
  const code = status === 'filled' ? 'success' : status === 'cancelled' ? 'cancelled' : 'approved';
  const finished = order.finish_time !== undefined && order.finish_time !== '0' ? order.finish_time : undefined;
  const version = code === 'approved' ? order.submit_time : finished;
  const at = version ?? (order.submit_time !== undefined && order.submit_time !== '0' ? order.submit_time : undefined);
  return {
    rawStatus: { scheme: 'indodax.withdraw', code },
    ...(version === undefined ? {} : { providerStatusVersion: `order-${status}-${version}` }),
    occurredAt: at === undefined ? observedAt.toISOString() : unixSecondsToIso(at),
  };
}

/** withdrawCoin's answer: `approved` (address) or `wait` (username), versioned by its submit time. */
export function withdrawObservation(result: IndodaxWithdrawResult): PaymentObservation {
  return {
    rawStatus: { scheme: 'indodax.withdraw', code: result.status },
    providerStatusVersion: result.submit_time,
    occurredAt: unixSecondsToIso(result.submit_time),
  };
}

/** A withdrawal's transHistory entry: `pending` while it is being sent, `success` once done. */
export function transferObservation(transfer: IndodaxTransfer, observedAt: Date): PaymentObservation {
  const done = transfer.success_time !== undefined && transfer.success_time !== '0' ? transfer.success_time : undefined;
  const version = done ?? transfer.submit_time;
  return {
    rawStatus: { scheme: 'indodax.withdraw', code: transfer.status },
    ...(version === undefined ? {} : { providerStatusVersion: `${transfer.status}-${version}` }),
    occurredAt: version === undefined ? observedAt.toISOString() : unixSecondsToIso(version),
  };
}
