import { formatMinorTrimmed } from '../../core/money';
import { unixSeconds } from '../../core/time';
import { jsonNumber } from '../../http/json';
import { CURRENCIES, PAIRS, compactPairName, findPair, type IndodaxPair } from '../currencies';
import { NOT_MAKER_MESSAGE } from '../exchange';
import { TapiError, cancelRateLimited, tradeRateLimited } from '../errors';
import type { Order, Trade } from '../model';
import { amountText, idrNumberOrCoinText, secondsText } from '../render';
import type { TapiDeps, TapiHandler } from '../tapi';
import { amountParam, integerParam, optional, pairParam, required } from './params';

const CLIENT_ORDER_ID = /^[A-Za-z0-9_-]{1,36}$/;

export function tradingMethods(deps: TapiDeps): Record<string, TapiHandler> {
  const { state, exchange, limits } = deps;

  const cancel = (order: Order): Record<string, unknown> => {
    if (order.status !== 'open') throw TapiError.of(`Order ${order.id} is already ${order.status}.`, 'order_not_open');
    exchange.cancel(order);
    const balance: Record<string, string> = {};
    for (const entry of CURRENCIES) balance[entry.code] = amountText(entry, state.available(entry.code));
    for (const entry of CURRENCIES) balance[`frozen_${entry.code}`] = amountText(entry, state.onHold(entry.code));
    return {
      success: 1,
      return: { order_id: order.id, ...(order.clientOrderId === undefined ? {} : { client_order_id: order.clientOrderId }), type: order.side, pair: order.pairId, balance },
    };
  };

  return {
    trade: (call) => {
      const pair = pairParam(call);
      if (!limits.allowTrade(state.user.userId, pair.id)) throw tradeRateLimited(compactPairName(pair.id));
      const side = required(call, 'type');
      if (side !== 'buy' && side !== 'sell') throw TapiError.of('Invalid type: it must be buy or sell.', 'invalid_type');
      const orderTypeParam = optional(call, 'order_type');
      if (orderTypeParam !== undefined && orderTypeParam !== 'limit' && orderTypeParam !== 'market') {
        throw TapiError.of('Invalid order_type: it must be limit or market.', 'invalid_order_type');
      }
      const orderType = orderTypeParam ?? 'limit';
      const timeInForce = optional(call, 'time_in_force') ?? 'GTC';
      if (timeInForce !== 'GTC' && timeInForce !== 'MOC') throw TapiError.of('Invalid time_in_force: it must be GTC or MOC.', 'invalid_time_in_force');
      if (timeInForce === 'MOC' && orderType !== 'limit') throw TapiError.of('time_in_force is only valid for limit orders.', 'invalid_time_in_force');
      const clientOrderId = optional(call, 'client_order_id');
      if (clientOrderId !== undefined) {
        if (!CLIENT_ORDER_ID.test(clientOrderId)) throw TapiError.of('Invalid client_order_id: at most 36 characters of A-Z, a-z, 0-9, _ and -.', 'invalid_client_order_id');
        if ([...state.orders.values()].some((order) => order.clientOrderId === clientOrderId)) {
          throw new TapiError({ success: 0, error: `client order id ${clientOrderId} already exists` });
        }
      }
      const quoteText = optional(call, pair.quote.code);
      const baseText = optional(call, pair.base.code);
      const sizing = chooseSizing(pair, side, orderTypeParam, quoteText, baseText);
      const amount = amountParam(sizing.text, sizing.sizedIn === 'quote' ? pair.quote : pair.base, sizing.sizedIn === 'quote' ? pair.quote.code : pair.base.code);
      if (amount === 0n) throw TapiError.of('Invalid amount: it must be greater than zero.', 'invalid_amount');
      let price = 0n;
      if (orderType === 'limit') {
        price = amountParam(required(call, 'price'), pair.quote, 'price');
        if (price === 0n) throw TapiError.of('Invalid price: it must be greater than zero.', 'invalid_price');
      }
      const outcome = exchange.place({
        pair,
        side,
        orderType,
        price,
        sizedIn: sizing.sizedIn,
        amount,
        ...(clientOrderId === undefined ? {} : { clientOrderId }),
        makerOnly: timeInForce === 'MOC',
      });
      if (!outcome.ok) {
        switch (outcome.error) {
          case 'not_maker':
            throw new TapiError({ success: 0, error: NOT_MAKER_MESSAGE });
          case 'insufficient_balance':
            throw TapiError.of('Insufficient balance.', 'insufficient_balance');
          case 'too_small':
            throw TapiError.of('Order amount is too small.', 'invalid_amount');
        }
      }
      return { success: 1, return: tradeResult(pair, outcome.order) };
    },

    tradeHistory: (call) => {
      const pair = pairParam(call);
      const count = integerParam(call, 'count') ?? 1000;
      const fromId = integerParam(call, 'from_id');
      const endId = integerParam(call, 'end_id');
      const since = integerParam(call, 'since');
      const end = integerParam(call, 'end');
      const orderId = integerParam(call, 'order_id');
      const sort = optional(call, 'order') ?? 'desc';
      if (sort !== 'asc' && sort !== 'desc') throw TapiError.of('Invalid order: it must be asc or desc.', 'invalid_parameter');
      const trades = state.trades.filter(
        (trade) =>
          trade.pairId === pair.id &&
          (fromId === undefined || trade.id >= fromId) &&
          (endId === undefined || trade.id <= endId) &&
          (since === undefined || unixSeconds(trade.time) >= since) &&
          (end === undefined || unixSeconds(trade.time) <= end) &&
          (orderId === undefined || trade.orderId === orderId),
      );
      const ordered = sort === 'desc' ? [...trades].reverse() : trades;
      return { success: 1, return: { trades: ordered.slice(0, count).map((trade) => renderTrade(pair, trade)) } };
    },

    openOrders: (call) => {
      const pairId = optional(call, 'pair');
      const open = [...state.orders.values()].filter((order) => order.status === 'open').reverse();
      if (pairId !== undefined) {
        const pair = pairParam(call);
        return { success: 1, return: { orders: open.filter((order) => order.pairId === pair.id).map((order) => renderOpenOrder(pair, order)) } };
      }
      const byPair: Record<string, unknown[]> = {};
      for (const pair of PAIRS) {
        const orders = open.filter((order) => order.pairId === pair.id);
        if (orders.length > 0) byPair[pair.id] = orders.map((order) => renderOpenOrder(pair, order));
      }
      return { success: 1, return: { orders: byPair } };
    },

    orderHistory: (call) => {
      const pair = pairParam(call);
      const count = integerParam(call, 'count') ?? 1000;
      const from = integerParam(call, 'from');
      const orders = [...state.orders.values()].filter((order) => order.pairId === pair.id && (from === undefined || order.id >= from)).reverse();
      return { success: 1, return: { orders: orders.slice(0, count).map((order) => renderHistoryOrder(pair, order)) } };
    },

    getOrder: (call) => {
      const pair = pairParam(call);
      const orderId = integerParam(call, 'order_id');
      if (orderId === undefined) throw TapiError.of('Missing parameter: order_id.', 'invalid_parameter');
      const order = state.orders.get(orderId);
      if (!order || order.pairId !== pair.id) throw TapiError.of('Order not found.', 'order_not_found');
      return { success: 1, return: { order: renderOrderDetail(pair, order, false) } };
    },

    getOrderByClientOrderId: (call) => {
      const clientOrderId = required(call, 'client_order_id');
      const order = [...state.orders.values()].find((candidate) => candidate.clientOrderId === clientOrderId);
      const pair = order ? findPair(order.pairId) : undefined;
      if (!order || !pair) throw TapiError.of('Order not found.', 'order_not_found');
      return { success: 1, return: { order: renderOrderDetail(pair, order, true) } };
    },

    cancelOrder: (call) => {
      if (!limits.allowCancel(state.user.userId)) throw cancelRateLimited();
      const pair = pairParam(call);
      const orderId = integerParam(call, 'order_id');
      const side = required(call, 'type');
      if (orderId === undefined) throw TapiError.of('Missing parameter: order_id.', 'invalid_parameter');
      const order = state.orders.get(orderId);
      if (!order || order.pairId !== pair.id || order.side !== side) throw TapiError.of('Order not found.', 'order_not_found');
      return cancel(order);
    },

    cancelByClientOrderId: (call) => {
      if (!limits.allowCancel(state.user.userId)) throw cancelRateLimited();
      const clientOrderId = required(call, 'client_order_id');
      const order = [...state.orders.values()].find((candidate) => candidate.clientOrderId === clientOrderId);
      if (!order) throw TapiError.of('Order not found.', 'order_not_found');
      return cancel(order);
    },
  };
}

/**
 * Which amount an order is sized by, with the documented rules: a buy may give the quote amount
 * (`idr`) or the coin amount (`btc`), but not the quote amount with an explicit `order_type=limit`;
 * a market buy only takes the quote amount; a sell takes the coin amount.
 */
function chooseSizing(
  pair: IndodaxPair,
  side: 'buy' | 'sell',
  orderTypeParam: string | undefined,
  quoteText: string | undefined,
  baseText: string | undefined,
): { sizedIn: 'quote' | 'base'; text: string } {
  if (side === 'sell') {
    if (baseText === undefined) throw TapiError.of(`Missing parameter: ${pair.base.code} (the amount to sell).`, 'invalid_parameter');
    return { sizedIn: 'base', text: baseText };
  }
  if (orderTypeParam === 'market') {
    if (quoteText === undefined) throw TapiError.of(`Market buy orders only support an amount in ${pair.quote.code}.`, 'invalid_parameter');
    return { sizedIn: 'quote', text: quoteText };
  }
  if (quoteText !== undefined && orderTypeParam === 'limit') {
    throw TapiError.of(`Limit buy orders with order_type=limit take the amount in ${pair.base.code}, not ${pair.quote.code}.`, 'invalid_parameter');
  }
  if (baseText !== undefined) return { sizedIn: 'base', text: baseText };
  if (quoteText !== undefined) return { sizedIn: 'quote', text: quoteText };
  throw TapiError.of(`Missing parameter: ${pair.quote.code} or ${pair.base.code}.`, 'invalid_parameter');
}

/** `idr` is written `rp` in some documented fields (spend_rp, remain_rp, order_rp). */
function rpName(code: string): string {
  return code === 'idr' ? 'rp' : code;
}

function tradeResult(pair: IndodaxPair, order: Order): Record<string, unknown> {
  const [receiveCurrency, spendCurrency] = order.side === 'buy' ? [pair.base, pair.quote] : [pair.quote, pair.base];
  const remainCurrency = order.sizedIn === 'quote' ? pair.quote : pair.base;
  return {
    [`receive_${receiveCurrency.code}`]: amountText(receiveCurrency, order.received),
    [`spend_${rpName(spendCurrency.code)}`]: idrNumberOrCoinText(spendCurrency, order.spent),
    // Documented as a JSON number (`"fee": 0`); written from its exact decimal.
    fee: jsonNumber(formatMinorTrimmed(order.fee, receiveCurrency.asset.precision)),
    [`remain_${rpName(remainCurrency.code)}`]: idrNumberOrCoinText(remainCurrency, order.remaining),
    order_id: order.id,
    ...(order.clientOrderId === undefined ? {} : { client_order_id: order.clientOrderId }),
  };
}

function sizeFields(pair: IndodaxPair, order: Order, idrName: (code: string) => string): Record<string, string> {
  const sized = order.sizedIn === 'quote' ? pair.quote : pair.base;
  const name = idrName(sized.code);
  return { [`order_${name}`]: amountText(sized, order.amount), [`remain_${name}`]: amountText(sized, order.remaining) };
}

function renderOpenOrder(pair: IndodaxPair, order: Order): Record<string, unknown> {
  return {
    order_id: String(order.id),
    ...(order.clientOrderId === undefined ? {} : { client_order_id: order.clientOrderId }),
    submit_time: secondsText(order.submitTime),
    price: amountText(pair.quote, order.price),
    type: order.side,
    order_type: order.orderType,
    ...sizeFields(pair, order, (code) => code),
  };
}

function renderHistoryOrder(pair: IndodaxPair, order: Order): Record<string, unknown> {
  return {
    order_id: String(order.id),
    ...(order.clientOrderId === undefined ? {} : { client_order_id: order.clientOrderId }),
    type: order.side,
    price: amountText(pair.quote, order.price),
    submit_time: secondsText(order.submitTime),
    finish_time: order.finishTime === undefined ? '0' : secondsText(order.finishTime),
    status: order.status,
    ...sizeFields(pair, order, (code) => code),
  };
}

/** getOrder writes IDR sizes as `order_rp`/`remain_rp` and what came back as `receive_<currency>`. */
function renderOrderDetail(pair: IndodaxPair, order: Order, clientIdFirst: boolean): Record<string, unknown> {
  const receipts: Record<string, string> = {};
  const [received, returned] = order.side === 'buy' ? [pair.base, pair.quote] : [pair.quote, pair.base];
  if (order.status === 'filled') receipts[`receive_${received.code}`] = amountText(received, order.received);
  if (order.refunded > 0n) receipts[`${order.status === 'cancelled' ? 'receive' : 'refund'}_${returned.code}`] = amountText(returned, order.refunded);
  const clientId = order.clientOrderId === undefined ? {} : { client_order_id: order.clientOrderId };
  return {
    order_id: String(order.id),
    ...(clientIdFirst ? clientId : {}),
    price: amountText(pair.quote, order.price),
    type: order.side,
    ...sizeFields(pair, order, rpName),
    submit_time: secondsText(order.submitTime),
    finish_time: order.finishTime === undefined ? '0' : secondsText(order.finishTime),
    status: order.status,
    ...receipts,
    ...(clientIdFirst ? {} : clientId),
  };
}

function renderTrade(pair: IndodaxPair, trade: Trade): Record<string, unknown> {
  const feeCurrency = trade.side === 'buy' ? pair.base : pair.quote;
  return {
    trade_id: String(trade.id),
    order_id: String(trade.orderId),
    type: trade.side,
    [pair.base.code]: amountText(pair.base, trade.baseAmount),
    price: amountText(pair.quote, trade.price),
    fee: amountText(feeCurrency, trade.fee),
    trade_time: secondsText(trade.time),
    ...(trade.clientOrderId === undefined ? {} : { client_order_id: trade.clientOrderId }),
  };
}
