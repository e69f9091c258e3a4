import type { SandboxClock } from '../core/clock';
import type { Random } from '../core/random';
import { findPair, type IndodaxPair } from './currencies';
import type { Order, OrderSide, OrderType, Trade } from './model';
import type { IndodaxState } from './state';

/** Takers pay 0.3 % of what they receive; resting (maker) orders pay nothing. */
export const TAKER_FEE_BASIS_POINTS = 30n;
/** Price moves per tick are at most ±0.3 %. */
const MAX_MOVE_TENTHS_OF_BASIS_POINT = 30;

export const NOT_MAKER_MESSAGE = 'Order cancelled because it’s not maker.';

export interface PlaceOrder {
  pair: IndodaxPair;
  side: OrderSide;
  orderType: OrderType;
  /** Limit price (quote minor units per whole base unit); ignored for market orders. */
  price: bigint;
  sizedIn: 'quote' | 'base';
  amount: bigint;
  clientOrderId?: string;
  makerOnly: boolean;
}

export type PlaceOutcome = { ok: true; order: Order; trade?: Trade } | { ok: false; error: 'insufficient_balance' | 'not_maker' | 'too_small' };

/**
 * Indodax's matching as the sandbox models it: the market price of each pair is a seeded random
 * walk; an order that crosses it fills at once at the market price (taker), anything else rests
 * with its funds on hold until the price reaches it (maker). Orders fill whole, never in part.
 */
export class IndodaxExchange {
  constructor(
    private readonly state: IndodaxState,
    private readonly clock: SandboxClock,
  ) {}

  place(input: PlaceOrder): PlaceOutcome {
    const market = this.state.prices.get(input.pair.id) ?? input.pair.openingPrice;
    const crosses = input.orderType === 'market' || (input.side === 'buy' ? input.price >= market : input.price <= market);
    if (crosses && input.makerOnly) return { ok: false, error: 'not_maker' };
    const spendCurrency = input.side === 'buy' ? input.pair.quote.code : input.pair.base.code;
    const limitCost = this.cost(input, input.orderType === 'market' ? market : input.price);
    if (limitCost === 0n) return { ok: false, error: 'too_small' };
    if (this.state.available(spendCurrency) < limitCost) return { ok: false, error: 'insufficient_balance' };
    const now = this.clock.now();
    const order: Order = {
      id: this.state.newOrderId(),
      ...(input.clientOrderId === undefined ? {} : { clientOrderId: input.clientOrderId }),
      pairId: input.pair.id,
      side: input.side,
      orderType: input.orderType,
      price: input.orderType === 'market' ? market : input.price,
      sizedIn: input.sizedIn,
      amount: input.amount,
      remaining: input.amount,
      status: 'open',
      submitTime: now,
      received: 0n,
      spent: 0n,
      refunded: 0n,
      fee: 0n,
    };
    this.state.orders.set(order.id, order);
    if (crosses) {
      const trade = this.fill(order, market, TAKER_FEE_BASIS_POINTS);
      return trade ? { ok: true, order, trade } : { ok: false, error: 'too_small' };
    }
    this.state.openOrders.set(order.id, order);
    order.holdEntryId = this.state.post(`order:${order.id}:hold`, spendCurrency, -limitCost, 'order_hold', `Funds on hold for order ${order.id}`, now, 'pending', {
      source: 'order',
      sourceId: String(order.id),
    });
    return { ok: true, order };
  }

  cancel(order: Order): void {
    const now = this.clock.now();
    if (order.holdEntryId !== undefined) this.state.book.voidEntry(order.holdEntryId, now);
    order.refunded = order.remaining;
    this.state.openOrders.delete(order.id);
    order.status = 'cancelled';
    order.finishTime = now;
  }

  /** One market tick: every price moves, then resting orders the price reached fill. */
  tick(random: Random): void {
    for (const [pairId, price] of this.state.prices) {
      const move = BigInt(random.int(-MAX_MOVE_TENTHS_OF_BASIS_POINT, MAX_MOVE_TENTHS_OF_BASIS_POINT));
      const next = price + (price * move) / 10_000n;
      this.state.prices.set(pairId, next > 0n ? next : 1n);
    }
    this.matchResting();
  }

  /** Sets a pair's market price (admin control) and fills what it reaches. */
  setPrice(pairId: string, price: bigint): void {
    this.state.prices.set(pairId, price);
    this.matchResting();
  }

  private matchResting(): void {
    for (const order of this.state.openOrders.values()) {
      const market = this.state.prices.get(order.pairId);
      if (market === undefined) continue;
      if (order.side === 'buy' ? market <= order.price : market >= order.price) this.fill(order, order.price, 0n);
    }
  }

  /** What an order spends at `price`, in the currency it pays with. */
  private cost(input: Pick<PlaceOrder, 'pair' | 'side' | 'sizedIn' | 'amount'>, price: bigint): bigint {
    if (input.side === 'sell' || input.sizedIn === 'quote') return input.amount;
    return ceilDiv(input.amount * price, unit(input.pair.base.asset.precision));
  }

  private fill(order: Order, price: bigint, feeBasisPoints: bigint): Trade | undefined {
    const pair = findPair(order.pairId);
    if (!pair) throw new Error(`unknown pair ${order.pairId}`);
    const baseUnit = unit(pair.base.asset.precision);
    const now = this.clock.now();
    let baseAmount: bigint;
    let quoteAmount: bigint;
    if (order.side === 'buy') {
      baseAmount = order.sizedIn === 'base' ? order.amount : (order.amount * baseUnit) / price;
      quoteAmount = ceilDiv(baseAmount * price, baseUnit);
    } else {
      baseAmount = order.amount;
      quoteAmount = (baseAmount * price) / baseUnit;
    }
    if (baseAmount === 0n || quoteAmount === 0n) {
      this.state.orders.delete(order.id);
      return undefined;
    }
    const received = order.side === 'buy' ? baseAmount : quoteAmount;
    const fee = (received * feeBasisPoints) / 10_000n;
    const trade: Trade = {
      id: this.state.newTradeId(),
      orderId: order.id,
      pairId: pair.id,
      side: order.side,
      baseAmount,
      price,
      fee,
      time: now,
      ...(order.clientOrderId === undefined ? {} : { clientOrderId: order.clientOrderId }),
    };
    if (order.holdEntryId !== undefined) this.state.book.voidEntry(order.holdEntryId, now);
    const [spendCode, spent, receiveCode] =
      order.side === 'buy' ? [pair.quote.code, quoteAmount, pair.base.code] : [pair.base.code, baseAmount, pair.quote.code];
    const meta = { source: 'trade' as const, sourceId: String(trade.id) };
    this.state.post(`trade:${trade.id}:${spendCode}`, spendCode, -spent, 'trade', `${order.side} ${pair.id} #${order.id}`, now, 'booked', meta);
    this.state.post(`trade:${trade.id}:${receiveCode}`, receiveCode, received, 'trade', `${order.side} ${pair.id} #${order.id}`, now, 'booked', meta);
    if (fee > 0n) this.state.post(`trade:${trade.id}:fee`, receiveCode, -fee, 'trade_fee', `Trading fee #${order.id}`, now, 'booked', meta);
    this.state.trades.push(trade);
    order.spent = spent;
    order.received = received - fee;
    order.fee = fee;
    // A buy sized in quote currency cannot spend to the last unit at this price: the rest is returned.
    order.refunded = order.side === 'buy' && order.sizedIn === 'quote' ? order.amount - spent : 0n;
    order.remaining = 0n;
    this.state.openOrders.delete(order.id);
    order.status = 'filled';
    order.finishTime = now;
    return trade;
  }
}

function unit(precision: number): bigint {
  return 10n ** BigInt(precision);
}

function ceilDiv(numerator: bigint, denominator: bigint): bigint {
  return (numerator + denominator - 1n) / denominator;
}
