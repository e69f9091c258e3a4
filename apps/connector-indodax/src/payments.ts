import { paymentInitiator, UpstreamError, type EventSink, type InitiatedPayment, type PaymentInitiator, type PaymentObservation, type PaymentStatusPoller } from '@finmesh/connector-kit';
import {
  ContractError,
  createEvent,
  minorUnitsOf,
  moneyFromDecimal,
  moneyFromMinorUnits,
  moneyToDecimal,
  normalizeProviderStatus,
  paymentRef,
  type Money,
} from '@finmesh/schemas';
import { z } from 'zod';
import { splitPair, type IndodaxClient, type IndodaxOrder, type TradeRequest } from './client';
import { currencyAccount, FINMESH_CLIENT_ORDER_PREFIX, orderObservation, quoteAmountOf, transferObservation, withdrawObservation, type IndodaxAssets } from './normalize';
import { addDays, wibDay } from './sync';
import type { WithdrawalStore } from './withdrawal-store';

const pair = z.string().regex(/^[a-z0-9]{2,12}_[a-z0-9]{2,12}$/, { message: 'must be a pair such as btc_idr' });
const positiveDecimal = z.string().regex(/^\d+(\.\d+)?$/, { message: 'must be a positive decimal string, e.g. "0.001"' });
const side = z.enum(['buy', 'sell']);

export const indodaxPaymentRequestSchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('limit_order'),
    pair,
    side,
    price: positiveDecimal,
    /** In the base currency (`btc`); a buy may give quoteAmount (IDR) instead. */
    amount: positiveDecimal.optional(),
    quoteAmount: positiveDecimal.optional(),
    timeInForce: z.enum(['GTC', 'MOC']).optional(),
  }),
  z.strictObject({
    type: z.literal('market_order'),
    pair,
    side,
    /** Sells: the base amount. */
    amount: positiveDecimal.optional(),
    /** Buys: the quote amount (Indodax takes market buys in IDR only). */
    quoteAmount: positiveDecimal.optional(),
  }),
  z.strictObject({
    type: z.literal('cancel_order'),
    /** The order's Indodax id with its pair and side, or the client order id. */
    pair: pair.optional(),
    orderId: z.string().regex(/^\d{1,20}$/).optional(),
    side: side.optional(),
    clientOrderId: z.string().regex(/^[A-Za-z0-9_-]{1,36}$/).optional(),
  }),
  z.strictObject({
    type: z.literal('withdrawal'),
    currency: z.string().regex(/^[a-z0-9]{1,32}$/, { message: 'must be a lower-case currency code such as btc' }),
    network: z.string().regex(/^[a-z0-9]{1,32}$/).optional(),
    address: z.string().min(1).max(256).optional(),
    username: z.string().regex(/^[A-Za-z0-9_-]{1,128}$/).optional(),
    amount: positiveDecimal,
    memo: z.string().min(1).max(256).optional(),
  }),
]);

/** A cancellation's payment id: `cancel-<order id>`. */
export const CANCEL_PREFIX = 'cancel-';

export type IndodaxPaymentRequest = z.output<typeof indodaxPaymentRequestSchema>;

/** The request schema plus the rules that need the assets (exact amounts) and the combinations Indodax documents. */
export function paymentRequestSchema(assets: IndodaxAssets) {
  return indodaxPaymentRequestSchema.superRefine((request, context) => {
    const exact = (value: string | undefined, currency: string, path: string): void => {
      if (value === undefined) return;
      try {
        if (minorUnitsOf(moneyFromDecimal(value, assets.assetOf(currency))) <= 0n) context.addIssue({ code: 'custom', path: [path], message: 'must be greater than zero' });
      } catch (error: unknown) {
        if (!(error instanceof ContractError)) throw error;
        context.addIssue({ code: 'custom', path: [path], message: error.message });
      }
    };
    switch (request.type) {
      case 'limit_order':
      case 'market_order': {
        const [base, quote] = splitPair(request.pair);
        exact(request.amount, base, 'amount');
        exact(request.quoteAmount, quote, 'quoteAmount');
        if (request.type === 'limit_order') exact(request.price, quote, 'price');
        const sizes = Number(request.amount !== undefined) + Number(request.quoteAmount !== undefined);
        if (sizes !== 1) context.addIssue({ code: 'custom', path: ['amount'], message: 'give exactly one of amount (base) and quoteAmount (quote)' });
        if (request.side === 'sell' && request.quoteAmount !== undefined) context.addIssue({ code: 'custom', path: ['quoteAmount'], message: 'a sell is sized in the base currency (amount)' });
        if (request.type === 'market_order' && request.side === 'buy' && request.amount !== undefined) {
          context.addIssue({ code: 'custom', path: ['amount'], message: 'Indodax takes market buys in the quote currency only (quoteAmount)' });
        }
        return;
      }
      case 'cancel_order':
        if ((request.clientOrderId === undefined) === (request.orderId === undefined || request.pair === undefined || request.side === undefined)) {
          context.addIssue({ code: 'custom', path: ['orderId'], message: 'give either pair, orderId and side, or clientOrderId' });
        }
        return;
      case 'withdrawal':
        exact(request.amount, request.currency, 'amount');
        if (request.currency === 'idr') context.addIssue({ code: 'custom', path: ['currency'], message: 'withdrawCoin does not withdraw IDR' });
        if ((request.address === undefined) === (request.username === undefined)) context.addIssue({ code: 'custom', path: ['address'], message: 'give either address or username' });
        return;
    }
  });
}

/** A client_order_id (≤ 36 of [A-Za-z0-9_-]) and a request_id (alphanumeric) derived from the payment's idempotency key. */
export function clientOrderIdOf(providerIdempotencyKey: string): string {
  return `${FINMESH_CLIENT_ORDER_PREFIX}${providerIdempotencyKey.replace(/[^A-Za-z0-9]/g, '').slice(-33)}`;
}

export function requestIdOf(providerIdempotencyKey: string): string {
  return `fm${providerIdempotencyKey.replace(/[^A-Za-z0-9]/g, '').slice(-40)}`;
}

/** What an order spends, in the currency it pays with: the payment's amount and account. */
export function orderSpend(pairId: string, order: { side: 'buy' | 'sell'; price?: string; amount?: string; quoteAmount?: string }, assets: IndodaxAssets): { account: string; amount: Money } {
  const [base, quote] = splitPair(pairId);
  if (order.side === 'sell') {
    if (order.amount === undefined) throw new ContractError('invalid_amount', 'a sell needs its base amount');
    return { account: base, amount: moneyFromDecimal(order.amount, assets.assetOf(base)) };
  }
  if (order.quoteAmount !== undefined) return { account: quote, amount: moneyFromDecimal(order.quoteAmount, assets.assetOf(quote)) };
  if (order.amount === undefined || order.price === undefined) throw new ContractError('invalid_amount', 'a buy needs its quote amount, or a base amount and a price');
  const cost = quoteAmountOf('buy', moneyFromDecimal(order.amount, assets.assetOf(base)), moneyFromDecimal(order.price, assets.assetOf(quote)));
  return { account: quote, amount: moneyFromMinorUnits(cost, assets.assetOf(quote)) };
}

/** An order as Indodax reports it (getOrder): its size fields are `order_<currency>` (`order_rp` for IDR). */
function spendOfReportedOrder(pairId: string, order: IndodaxOrder, assets: IndodaxAssets): { account: string; amount: Money } {
  const [base, quote] = splitPair(pairId);
  const sized = (currency: string): string | undefined => {
    const value = order[`order_${currency}`] ?? (currency === 'idr' ? order['order_rp'] : undefined);
    return typeof value === 'string' ? value : undefined;
  };
  const baseAmount = sized(base);
  const quoteAmount = sized(quote);
  return orderSpend(pairId, { side: order.type, price: order.price, ...(baseAmount === undefined ? {} : { amount: baseAmount }), ...(quoteAmount === undefined ? {} : { quoteAmount }) }, assets);
}

export interface IndodaxPaymentsOptions {
  client: IndodaxClient;
  assets: IndodaxAssets;
  withdrawals: WithdrawalStore;
  /** Where the withdrawal announcement goes before withdrawCoin is called (the ingress reads it). */
  announcements: EventSink;
  now?: () => Date;
}

/**
 * `POST /v1/payments` for Indodax: limit and market orders (client_order_id derived from the
 * Idempotency-Key, so a retried request finds its order instead of placing a second one), order
 * cancellations, and coin withdrawals (announced before withdrawCoin is called, so the ingress can
 * answer Indodax's verification callback `ok`).
 */
export function indodaxPaymentInitiator(options: IndodaxPaymentsOptions): PaymentInitiator {
  const { client, assets } = options;
  const now = options.now ?? (() => new Date());
  return paymentInitiator({
    requestSchema: paymentRequestSchema(assets),
    async initiate(request, context): Promise<InitiatedPayment> {
      switch (request.type) {
        case 'limit_order':
        case 'market_order': {
          const clientOrderId = clientOrderIdOf(context.providerIdempotencyKey);
          const spend = orderSpend(request.pair, { side: request.side, ...(request.type === 'limit_order' ? { price: request.price } : {}), ...sizeOf(request) }, assets);
          const existing = await findOrder(client, clientOrderId, context.signal);
          let orderId = existing?.order_id;
          if (orderId === undefined) {
            const [base, quote] = splitPair(request.pair);
            const trade: TradeRequest = {
              pair: request.pair,
              type: request.side,
              // Indodax refuses an IDR-sized buy with an explicit order_type=limit; limit is its default.
              ...(request.type === 'limit_order' && request.quoteAmount !== undefined ? {} : { orderType: request.type === 'limit_order' ? 'limit' : 'market' }),
              ...(request.type === 'limit_order' ? { price: canonical(request.price, quote, assets) } : {}),
              ...(request.amount === undefined ? {} : { baseAmount: canonical(request.amount, base, assets) }),
              ...(request.quoteAmount === undefined ? {} : { quoteAmount: canonical(request.quoteAmount, quote, assets) }),
              clientOrderId,
              ...(request.type === 'limit_order' && request.timeInForce !== undefined ? { timeInForce: request.timeInForce } : {}),
            };
            orderId = (await client.trade(trade, context.signal)).order_id;
          }
          const order = await client.getOrder(request.pair, orderId, context.signal);
          return { ...orderObservation(order, now()), providerPaymentId: orderId, accountId: spend.account, amount: spend.amount };
        }
        case 'cancel_order': {
          const cancelled =
            request.clientOrderId !== undefined
              ? await client.cancelByClientOrderId(request.clientOrderId, context.signal)
              : await client.cancelOrder({ pair: request.pair ?? '', orderId: request.orderId ?? '', type: request.side ?? 'buy' }, context.signal);
          const order = await client.getOrder(cancelled.pair, cancelled.order_id, context.signal);
          const spend = spendOfReportedOrder(cancelled.pair, order, assets);
          // A payment of its own (the kit keeps one payment per provider id); the order's payment learns
          // the cancellation from its own poll, which releases the order's hold in the ledger.
          return { ...orderObservation(order, now()), providerPaymentId: `${CANCEL_PREFIX}${cancelled.order_id}`, accountId: spend.account, amount: spend.amount };
        }
        case 'withdrawal':
          return withdraw(options, request, context.providerIdempotencyKey, context.signal, now);
      }
    },
  });
}

function sizeOf(request: { amount?: string | undefined; quoteAmount?: string | undefined }): { amount?: string; quoteAmount?: string } {
  return { ...(request.amount === undefined ? {} : { amount: request.amount }), ...(request.quoteAmount === undefined ? {} : { quoteAmount: request.quoteAmount }) };
}

/** The exact decimal in the currency's precision (`0.001` → `0.00100000`): the same request always sends the same bytes. */
function canonical(value: string, currency: string, assets: IndodaxAssets): string {
  return moneyToDecimal(moneyFromDecimal(value, assets.assetOf(currency)));
}

async function findOrder(client: IndodaxClient, clientOrderId: string, signal: AbortSignal): Promise<IndodaxOrder | undefined> {
  try {
    return await client.getOrderByClientOrderId(clientOrderId, signal);
  } catch (error: unknown) {
    if (error instanceof UpstreamError && error.kind === 'not_found') return undefined;
    throw error;
  }
}

async function withdraw(
  options: IndodaxPaymentsOptions,
  request: Extract<IndodaxPaymentRequest, { type: 'withdrawal' }>,
  providerIdempotencyKey: string,
  signal: AbortSignal,
  now: () => Date,
): Promise<InitiatedPayment> {
  const { client, assets, withdrawals } = options;
  const requestId = requestIdOf(providerIdempotencyKey);
  const amount = moneyFromDecimal(request.amount, assets.assetOf(request.currency));
  const amountText = moneyToDecimal(amount);
  const address = request.address ?? '';

  const before = await withdrawals.beginAttempt({ requestId, currency: request.currency, address, amount: amountText });
  const acceptedCode = request.username === undefined ? 'approved' : 'wait';
  if (before?.state === 'accepted' && before.submitTime !== undefined) {
    // Sent and accepted before, but the payment row was lost with its transaction: the same answer again.
    const submitted = new Date(Number(before.submitTime) * 1000).toISOString();
    return { rawStatus: { scheme: 'indodax.withdraw', code: acceptedCode }, providerStatusVersion: before.submitTime, occurredAt: submitted, providerPaymentId: requestId, accountId: request.currency, amount };
  }
  if (before?.state === 'sending') {
    // An earlier call's outcome is unknown (timeout): if Indodax booked it, adopt it instead of sending twice.
    const found = await findUnclaimedWithdrawal(options, request.currency, address, amount, signal, now);
    if (found !== undefined) {
      await withdrawals.accepted(requestId, found.withdrawId, found.submitTime);
      return { ...found.observation, providerPaymentId: requestId, accountId: request.currency, amount };
    }
  }

  const withdrawal = {
    requestId,
    currency: request.currency,
    ...(request.network === undefined ? {} : { network: request.network }),
    address,
    amount: amountText,
    ...(request.memo === undefined ? {} : { memo: request.memo }),
    ...(request.username === undefined ? {} : { username: request.username }),
  };
  // Announced before Indodax is asked: its verification callback reaches the ingress while withdrawCoin is still running.
  await options.announcements.publish([
    withdrawalStatusEvent(requestId, request.currency, amount, { scheme: 'indodax.withdraw', code: 'requested' }, now(), { withdrawal }),
  ]);
  try {
    const result = await client.withdrawCoin(withdrawal, signal);
    await withdrawals.accepted(requestId, result.withdraw_id, result.submit_time);
    return { ...withdrawObservation(result), providerPaymentId: requestId, accountId: request.currency, amount };
  } catch (error: unknown) {
    if (error instanceof UpstreamError && !error.retryable) {
      // Refused (the callback was not answered ok, insufficient balance …): the announced payment fails here.
      await withdrawals.refused(requestId);
      await options.announcements.publish([
        withdrawalStatusEvent(requestId, request.currency, amount, { scheme: 'indodax.withdraw', code: 'failed' }, now(), { reason: error.message.slice(0, 1000), version: 'refused' }),
      ]);
    }
    throw error;
  }
}

function withdrawalStatusEvent(
  requestId: string,
  currency: string,
  amount: Money,
  rawStatus: { scheme: 'indodax.withdraw'; code: string },
  at: Date,
  extra: { withdrawal?: NonNullable<Parameters<typeof createEvent<'payment.status_changed'>>[1]['data']['withdrawal']>; reason?: string; version?: string },
) {
  return createEvent('payment.status_changed', {
    provider: 'indodax',
    source: 'command',
    occurredAt: at.toISOString(),
    observedAt: at.toISOString(),
    account: currencyAccount(currency),
    payment: paymentRef('indodax', requestId),
    correlationId: `withdraw-${requestId}`,
    data: {
      amount,
      status: normalizeProviderStatus(rawStatus.scheme, rawStatus.code),
      rawStatus,
      ...(extra.version === undefined ? {} : { providerStatusVersion: extra.version }),
      ...(extra.reason === undefined ? {} : { reason: extra.reason }),
      ...(extra.withdrawal === undefined ? {} : { withdrawal: extra.withdrawal }),
    },
  });
}

async function findUnclaimedWithdrawal(
  options: IndodaxPaymentsOptions,
  currency: string,
  address: string,
  amount: Money,
  signal: AbortSignal,
  now: () => Date,
): Promise<{ withdrawId: string; submitTime: string; observation: PaymentObservation } | undefined> {
  const today = wibDay(now().getTime());
  const history = await options.client.transHistory({ start: addDays(today, -1), end: today }, signal);
  for (const entry of history.withdraw[currency] ?? []) {
    const gross = entry[currency];
    if (entry.withdraw_id === undefined || entry.submit_time === undefined || typeof gross !== 'string') continue;
    if ((entry.address ?? '') !== address || moneyFromDecimal(gross, amount.asset).amount !== amount.amount) continue;
    if (await options.withdrawals.isKnownWithdrawId(entry.withdraw_id)) continue;
    return { withdrawId: entry.withdraw_id, submitTime: entry.submit_time, observation: transferObservation(entry, now()) };
  }
  return undefined;
}

const storedRequestSchema = z.object({ type: z.enum(['limit_order', 'market_order', 'cancel_order', 'withdrawal']), pair: z.string().optional(), currency: z.string().optional() });

/**
 * Follows a payment at Indodax: an order (or its cancellation) with getOrder; a withdrawal in
 * transHistory, by the withdraw_id withdrawCoin returned (`pending` → `success`).
 */
export function indodaxPaymentPoller(options: Pick<IndodaxPaymentsOptions, 'client' | 'withdrawals' | 'now'>): PaymentStatusPoller {
  const now = options.now ?? (() => new Date());
  return {
    async poll(payment, context) {
      const request = storedRequestSchema.parse(payment.request);
      switch (request.type) {
        case 'limit_order':
        case 'market_order':
        case 'cancel_order': {
          const clientOrderId = clientOrderIdFromRequest(payment.request);
          const order =
            request.pair === undefined && clientOrderId !== undefined
              ? await options.client.getOrderByClientOrderId(clientOrderId, context.signal)
              : await options.client.getOrder(request.pair ?? '', payment.providerPaymentId.replace(CANCEL_PREFIX, ''), context.signal);
          return orderObservation(order, now());
        }
        case 'withdrawal': {
          const stored = await options.withdrawals.get(payment.providerPaymentId);
          if (stored?.withdrawId === undefined || stored.submitTime === undefined) throw new Error(`withdrawal ${payment.providerPaymentId} has no withdraw_id recorded`);
          const day = wibDay(Number(stored.submitTime) * 1000);
          const history = await options.client.transHistory({ start: day, end: addDays(day, 1) }, context.signal);
          const entry = (history.withdraw[stored.currency] ?? []).find((candidate) => candidate.withdraw_id === stored.withdrawId);
          if (entry === undefined) throw new UpstreamError('not_found', `indodax transHistory: withdrawal ${stored.withdrawId} not listed yet`, { provider: 'indodax', endpoint: 'transHistory' });
          return transferObservation(entry, now());
        }
      }
    },
  };
}

function clientOrderIdFromRequest(request: unknown): string | undefined {
  const parsed = z.object({ clientOrderId: z.string() }).safeParse(request);
  return parsed.success ? parsed.data.clientOrderId : undefined;
}
