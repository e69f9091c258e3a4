import { Buffer } from 'node:buffer';
import { failurePolicyOf, systemClock, UpstreamError, type LimiterClock, type UpstreamErrorKind } from '@finmesh/connector-kit';
import { LosslessJsonValueSchema, parseJsonLosslessly, type LosslessJsonValue } from '@finmesh/schemas';
import { signIndodaxRequest, type IndodaxParamValue } from '@finmesh/signing';
import { Agent, request as undiciRequest } from 'undici';
import { z } from 'zod';
import type { NonceGate } from './nonce-gate';
import { SlidingWindowLimiter } from './tapi-limits';

/**
 * The Indodax private API (TAPI) as documented: every method is a signed `POST /tapi` of a form
 * body; answers are `{ success: 1, return }` or the error envelope `{ success: 0, error,
 * error_code }` with HTTP 200 (429 for the rate limits). Bodies are parsed losslessly, so every
 * amount stays the exact decimal text Indodax wrote.
 *
 * The kit's ResilientHttpClient sends JSON bodies signed once per request; TAPI needs a form
 * body with a fresh nonce inside it for every attempt, drawn in the key's turn, so this client
 * has its own transport with the same error taxonomy and retry rules.
 */

/** The documented permission groups, which also decide the rate limits and the retry rule. */
export type TapiMethodKind = 'view' | 'trade' | 'cancel' | 'withdraw';

export const TAPI_METHODS = {
  getInfo: 'view',
  transHistory: 'view',
  tradeHistory: 'view',
  openOrders: 'view',
  orderHistory: 'view',
  getOrder: 'view',
  getOrderByClientOrderId: 'view',
  trade: 'trade',
  cancelOrder: 'cancel',
  cancelByClientOrderId: 'cancel',
  withdrawFee: 'view',
  withdrawCoin: 'withdraw',
} as const satisfies Record<string, TapiMethodKind>;

export type TapiMethod = keyof typeof TAPI_METHODS;

/** The documented `error_code`s and what they mean for the caller; anything else is a refused request. */
export function kindOfTapiError(errorCode: string | undefined, error: string, httpStatus: number): UpstreamErrorKind {
  if (httpStatus === 429) return 'rate_limited';
  switch (errorCode) {
    case 'invalid_credentials':
    case 'no_permission':
      return 'unauthorized';
    case 'too_many_requests':
      return 'rate_limited';
    // Refused for its freshness only: the same call with a new nonce or timestamp is fine.
    case 'invalid_nonce':
    case 'invalid_timestamp':
    case 'service_unavailable':
      return 'retry_later';
    case 'internal_error':
      return 'server_error';
    case 'order_not_found':
    case 'not_found':
      return 'not_found';
    default:
      // "No permission" is documented as a text without a code.
      return error === 'No permission' ? 'unauthorized' : 'invalid_request';
  }
}

const envelopeSchema = z.looseObject({
  success: z.union([z.string(), z.boolean()]).optional(),
  error: z.string().optional(),
  message: z.string().optional(),
  error_code: z.string().optional(),
});

export interface IndodaxClientOptions {
  /** Scheme, host and base path; the client posts to `<baseUrl>/tapi`. */
  baseUrl: string;
  apiKey: string;
  secretKey: string;
  nonces: NonceGate;
  /**
   * `windowMarginMs` widens each one-second window: Indodax counts requests as they arrive, and
   * requests paced exactly one second apart here can arrive closer together (signing, the nonce
   * gate and the network delay each by a different amount).
   */
  limits: { tradePerSecond: number; cancelPerSecond: number; tradeBlockMs: number; windowMarginMs: number };
  timeouts?: { connectMs?: number; responseMs?: number };
  retry?: { maxRetries?: number; initialDelayMs?: number; maxDelayMs?: number };
  clock?: LimiterClock;
  random?: () => number;
  observer?: { requestCompleted?(info: { method: TapiMethod; outcome: 'ok' | UpstreamErrorKind; durationMs: number }): void };
}

type Params = ReadonlyArray<readonly [string, IndodaxParamValue | undefined]>;

export class IndodaxClient {
  private readonly agent: Agent;
  private readonly url: URL;
  /** Pacing in arrival order (outside the key's turn) … */
  private readonly tradePacing: SlidingWindowLimiter;
  private readonly cancelPacing: SlidingWindowLimiter;
  /** … and the exact count of what was actually sent, with the 429 blocks. */
  private readonly trades: SlidingWindowLimiter;
  private readonly cancels: SlidingWindowLimiter;
  private readonly clock: LimiterClock;
  private readonly random: () => number;

  constructor(private readonly options: IndodaxClientOptions) {
    this.url = new URL(`${options.baseUrl.replace(/\/+$/, '')}/tapi`);
    this.agent = new Agent({
      connect: { timeout: options.timeouts?.connectMs ?? 5_000 },
      // withdrawCoin waits for Indodax's own 5-second callback, so the answer may take that long.
      headersTimeout: options.timeouts?.responseMs ?? 15_000,
      bodyTimeout: options.timeouts?.responseMs ?? 15_000,
      connections: 4,
    });
    this.clock = options.clock ?? systemClock;
    this.random = options.random ?? Math.random;
    const windowMs = 1_000 + options.limits.windowMarginMs;
    this.tradePacing = new SlidingWindowLimiter(options.limits.tradePerSecond, windowMs, this.clock);
    this.cancelPacing = new SlidingWindowLimiter(options.limits.cancelPerSecond, windowMs, this.clock);
    this.trades = new SlidingWindowLimiter(options.limits.tradePerSecond, windowMs, this.clock);
    this.cancels = new SlidingWindowLimiter(options.limits.cancelPerSecond, windowMs, this.clock);
  }

  async close(): Promise<void> {
    await this.agent.close();
  }

  getInfo(signal?: AbortSignal): Promise<IndodaxInfo> {
    return this.call('getInfo', [], infoSchema, signal);
  }

  /** Deposits and withdrawals of every currency submitted in [start, end] (WIB days, at most 7 days apart). */
  transHistory(range: { start: string; end: string }, signal?: AbortSignal): Promise<IndodaxTransHistory> {
    return this.call('transHistory', [['start', range.start], ['end', range.end]], transHistorySchema, signal);
  }

  trade(order: TradeRequest, signal?: AbortSignal): Promise<IndodaxTradeResult> {
    const [base, quote] = splitPair(order.pair);
    return this.call(
      'trade',
      [
        ['pair', order.pair],
        ['type', order.type],
        ['price', order.price],
        [quote, order.quoteAmount],
        [base, order.baseAmount],
        ['order_type', order.orderType],
        ['client_order_id', order.clientOrderId],
        ['time_in_force', order.timeInForce],
      ],
      tradeResultSchema,
      signal,
      order.pair,
    );
  }

  /** Fills of one pair; `fromId` and `order: 'asc'` page forward through them. */
  tradeHistory(query: { pair: string; fromId?: string; endId?: string; count?: number; order?: 'asc' | 'desc'; since?: number; end?: number; orderId?: string }, signal?: AbortSignal): Promise<IndodaxTrade[]> {
    return this.call(
      'tradeHistory',
      [
        ['pair', query.pair],
        ['count', query.count],
        ['from_id', query.fromId],
        ['end_id', query.endId],
        ['order', query.order],
        ['since', query.since],
        ['end', query.end],
        ['order_id', query.orderId],
      ],
      z.object({ trades: z.array(tradeSchema) }),
      signal,
    ).then((result) => result.trades);
  }

  /** Open orders of one pair (the documented array form). */
  openOrders(pair: string, signal?: AbortSignal): Promise<IndodaxOrder[]> {
    return this.call('openOrders', [['pair', pair]], z.object({ orders: z.array(orderSchema) }), signal).then((result) => result.orders);
  }

  /** Open orders of every pair (the documented form without `pair`: orders keyed by pair). */
  allOpenOrders(signal?: AbortSignal): Promise<Record<string, IndodaxOrder[]>> {
    return this.call('openOrders', [], z.object({ orders: z.union([z.record(z.string(), z.array(orderSchema)), z.array(orderSchema).length(0)]) }), signal).then((result) =>
      Array.isArray(result.orders) ? {} : result.orders,
    );
  }

  orderHistory(query: { pair: string; count?: number; from?: string }, signal?: AbortSignal): Promise<IndodaxOrder[]> {
    return this.call('orderHistory', [['pair', query.pair], ['count', query.count], ['from', query.from]], z.object({ orders: z.array(orderSchema) }), signal).then(
      (result) => result.orders,
    );
  }

  getOrder(pair: string, orderId: string, signal?: AbortSignal): Promise<IndodaxOrder> {
    return this.call('getOrder', [['pair', pair], ['order_id', orderId]], z.object({ order: orderSchema }), signal).then((result) => result.order);
  }

  getOrderByClientOrderId(clientOrderId: string, signal?: AbortSignal): Promise<IndodaxOrder> {
    return this.call('getOrderByClientOrderId', [['client_order_id', clientOrderId]], z.object({ order: orderSchema }), signal).then((result) => result.order);
  }

  cancelOrder(order: { pair: string; orderId: string; type: 'buy' | 'sell'; orderType?: 'limit' | 'stoplimit' }, signal?: AbortSignal): Promise<IndodaxCancelResult> {
    return this.call(
      'cancelOrder',
      [
        ['pair', order.pair],
        ['order_id', order.orderId],
        ['type', order.type],
        ['order_type', order.orderType],
      ],
      cancelResultSchema,
      signal,
    );
  }

  cancelByClientOrderId(clientOrderId: string, signal?: AbortSignal): Promise<IndodaxCancelResult> {
    return this.call('cancelByClientOrderId', [['client_order_id', clientOrderId]], cancelResultSchema, signal);
  }

  withdrawFee(currency: string, network?: string, signal?: AbortSignal): Promise<{ server_time: string; withdraw_fee: string; currency: string }> {
    return this.call('withdrawFee', [['currency', currency], ['network', network]], z.object({ server_time: digits, withdraw_fee: decimal, currency: z.string() }), signal);
  }

  /** withdrawCoin answers at the top level (no `return`), as documented. */
  withdrawCoin(request: WithdrawRequest, signal?: AbortSignal): Promise<IndodaxWithdrawResult> {
    return this.call(
      'withdrawCoin',
      [
        ['currency', request.currency],
        ['network', request.network],
        ['withdraw_address', request.address],
        ['withdraw_amount', request.amount],
        ['withdraw_memo', request.memo],
        ['request_id', request.requestId],
        ['withdraw_input_method', request.username === undefined ? undefined : 'username'],
        ['withdraw_username', request.username],
      ],
      withdrawResultSchema,
      signal,
    );
  }

  /** One cheap authenticated call, not retried: the readiness check's "Indodax reachable with our key". */
  async probe(signal: AbortSignal): Promise<void> {
    await this.attempt('getInfo', [], signal);
  }


  private async call<Schema extends z.ZodType>(method: TapiMethod, params: Params, schema: Schema, signal?: AbortSignal, pair?: string): Promise<z.output<Schema>> {
    const kind = TAPI_METHODS[method];
    const limitKey = pair ?? paramOf(params, 'pair') ?? '';
    const maxRetries = this.options.retry?.maxRetries ?? 4;
    for (let attempt = 1; ; ) {
      try {
        // Paced in arrival order first; the exact check happens at the moment of sending.
        await this.pace(kind, limitKey, signal);
        const outcome = await this.attempt(method, params, signal, () => this.sendSlot(kind, limitKey));
        if ('deferMs' in outcome) {
          await this.clock.sleep(outcome.deferMs, signal);
          continue;
        }
        return shapeOf(method, method === 'withdrawCoin' ? outcome.json : (outcome.json as Record<string, LosslessJsonValue>)['return'], schema);
      } catch (error: unknown) {
        if (!(error instanceof UpstreamError) || attempt > maxRetries || signal?.aborted) throw error;
        const policy = failurePolicyOf(error.kind);
        // Orders and withdrawals are sent again only when Indodax certainly did not act on them.
        if (!policy.retryable || (kind !== 'view' && !policy.certainlyNotProcessed)) throw error;
        await this.clock.sleep(this.retryDelay(attempt, error), signal);
        attempt += 1;
      }
    }
  }

  private async pace(kind: TapiMethodKind, pair: string, signal: AbortSignal | undefined): Promise<void> {
    switch (kind) {
      case 'trade':
        await this.tradePacing.acquire(pair, signal);
        return;
      case 'cancel':
        await this.cancelPacing.acquire('cancel', signal);
        return;
      case 'view':
      case 'withdraw':
        return;
    }
  }

  /** 0 when the request may go now (and it is counted), else how long it must wait (a block, or a full window). */
  private sendSlot(kind: TapiMethodKind, pair: string): number {
    switch (kind) {
      case 'trade':
        return this.trades.tryTake(pair);
      case 'cancel':
        return this.cancels.tryTake('cancel');
      case 'view':
      case 'withdraw':
        return 0;
    }
  }

  private retryDelay(attempt: number, error: UpstreamError): number {
    const initial = this.options.retry?.initialDelayMs ?? 200;
    const ceiling = Math.min(this.options.retry?.maxDelayMs ?? 10_000, initial * 2 ** Math.min(attempt - 1, 20));
    const jittered = Math.round(ceiling / 2 + this.random() * (ceiling / 2));
    return Math.max(jittered, error.retryAfterMs ?? 0);
  }

  /** One signed request in the key's turn; resolves with the parsed body of a successful answer. */
  private async attempt(method: TapiMethod, params: Params, signal: AbortSignal | undefined, sendSlot: () => number = () => 0): Promise<{ json: LosslessJsonValue } | { deferMs: number }> {
    const started = this.clock.now();
    const fail = (kind: UpstreamErrorKind, message: string, extra: { status?: number; code?: string; retryAfterMs?: number; cause?: unknown } = {}): UpstreamError => {
      this.options.observer?.requestCompleted?.({ method, outcome: kind, durationMs: this.clock.now() - started });
      return new UpstreamError(kind, `indodax ${method}: ${message}`, {
        provider: 'indodax',
        endpoint: method,
        ...(extra.status === undefined ? {} : { httpStatus: extra.status }),
        ...(extra.code === undefined || extra.code === '' ? {} : { providerCode: extra.code }),
        ...(extra.retryAfterMs === undefined ? {} : { retryAfterMs: extra.retryAfterMs }),
        ...(extra.cause === undefined ? {} : { cause: extra.cause }),
      });
    };
    const sendable = params.filter((entry): entry is readonly [string, IndodaxParamValue] => entry[1] !== undefined);
    const sent = await this.options.nonces.run(this.options.apiKey, async (nonce): Promise<{ status: number; text: string } | { deferMs: number }> => {
      // Checked in the key's turn, right before sending: nothing goes out during a block or over the window.
      const deferMs = sendSlot();
      if (deferMs > 0) return { deferMs };
      const signed = signIndodaxRequest({ apiKey: this.options.apiKey, secretKey: this.options.secretKey, method, params: sendable, freshness: { nonce } });
      try {
        const response = await undiciRequest(this.url, {
          dispatcher: this.agent,
          method: 'POST',
          headers: { ...signed.headers, accept: 'application/json' },
          body: Buffer.from(signed.body, 'utf8'),
          ...(signal ? { signal } : {}),
        });
        return { status: response.statusCode, text: await response.body.text() };
      } catch (error: unknown) {
        if (signal?.aborted) throw error;
        const code = (error as { code?: unknown }).code;
        const kind: UpstreamErrorKind = typeof code === 'string' && TIMEOUT_CODES.has(code) ? 'timeout' : 'server_error';
        throw fail(kind, typeof code === 'string' ? code : error instanceof Error ? error.message : 'transport failure', { cause: error });
      }
    });
    if ('deferMs' in sent) return sent;
    const { status, text } = sent;

    let json: LosslessJsonValue | undefined;
    try {
      json = text.trim() === '' ? undefined : parseJsonLosslessly(text);
    } catch {
      json = undefined;
    }
    const envelope = envelopeSchema.safeParse(json);
    if (status === 429) {
      // A trade 429 blocks the pair for 5 seconds: wait it out instead of knocking again.
      const retryAfterMs = this.blockAfter429(method, params);
      const description = envelope.success ? (envelope.data.error ?? '') : '';
      throw fail('rate_limited', `HTTP 429 (too_many_requests: ${description})`, { status, code: 'too_many_requests', retryAfterMs });
    }
    // Indodax documents no Retry-After for these; the backoff applies.
    if (status >= 500) throw fail(status === 503 ? 'retry_later' : 'server_error', `HTTP ${status}`, { status });
    if (status < 200 || status >= 300) throw fail(status === 401 || status === 403 ? 'unauthorized' : status === 404 ? 'not_found' : 'invalid_request', `HTTP ${status}`, { status });
    if (json === undefined || !envelope.success) throw fail('server_error', `HTTP ${status} with a body that is not the TAPI envelope`, { status });
    const { success, error, error_code: errorCode } = envelope.data;
    // Some documented refusals say `success: 1` beside an `error` (withdraw limits, unknown usernames).
    if (error !== undefined || String(success) !== '1') {
      const text = error ?? 'no error text';
      throw fail(kindOfTapiError(errorCode, text, status), `${errorCode === undefined || errorCode === '' ? '' : `${errorCode}: `}${text}`, { status, ...(errorCode === undefined ? {} : { code: errorCode }) });
    }
    this.options.observer?.requestCompleted?.({ method, outcome: 'ok', durationMs: this.clock.now() - started });
    return { json };
  }

  private blockAfter429(method: TapiMethod, params: Params): number {
    const blockMs = this.options.limits.tradeBlockMs;
    switch (TAPI_METHODS[method]) {
      case 'trade':
        this.trades.block(paramOf(params, 'pair') ?? '', this.clock.now() + blockMs);
        return blockMs;
      case 'cancel':
        // The cancel limit is per second; no block is documented.
        this.cancels.block('cancel', this.clock.now() + 1_000);
        return 1_000;
      case 'view':
      case 'withdraw':
        return blockMs;
    }
  }
}

const TIMEOUT_CODES = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'ETIMEDOUT']);

function paramOf(params: Params, name: string): string | undefined {
  const value = params.find(([key]) => key === name)?.[1];
  return value === undefined ? undefined : String(value);
}

export function splitPair(pair: string): [string, string] {
  const [base, quote] = pair.split('_');
  if (base === undefined || quote === undefined || base === '' || quote === '') throw new Error(`not an Indodax pair: ${pair}`);
  return [base, quote];
}

/** An answer without the documented shape is Indodax failing, like a 5xx. */
function shapeOf<Schema extends z.ZodType>(method: TapiMethod, json: LosslessJsonValue | undefined, schema: Schema): z.output<Schema> {
  const parsed = schema.safeParse(json);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.slice(0, 3).map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
  throw new UpstreamError('server_error', `indodax ${method}: unexpected response shape (${issues.join('; ')})`, { provider: 'indodax', endpoint: method });
}

/** An object with its documented fields checked and every other field kept as lossless JSON. */
function looseJson<Shape extends z.ZodRawShape>(shape: Shape) {
  return z.object(shape).catchall(LosslessJsonValueSchema);
}

const decimal = z.string().regex(/^-?\d+(\.\d+)?$/, { message: 'must be a decimal' });
const digits = z.string().regex(/^\d+$/, { message: 'must be whole digits' });
const id = z.string().min(1).max(256);

const infoSchema = looseJson({
  server_time: digits,
  balance: z.record(z.string(), decimal),
  balance_hold: z.record(z.string(), decimal),
  user_id: z.string(),
  address: z.record(z.string(), z.string()).optional(),
});
export type IndodaxInfo = z.infer<typeof infoSchema>;

/** One deposit or withdrawal; the gross amount is under `rp` (IDR) or the currency's own name. */
const transferSchema = looseJson({
  status: z.string(),
  type: z.string().optional(),
  rp: decimal.optional(),
  fee: decimal.optional(),
  amount: decimal,
  submit_time: digits.optional(),
  success_time: digits.optional(),
  deposit_id: id.optional(),
  withdraw_id: id.optional(),
  tx: z.string().optional(),
  network: z.string().optional(),
  address: z.string().optional(),
  username: z.string().optional(),
});
export type IndodaxTransfer = z.infer<typeof transferSchema>;

const transHistorySchema = z.object({
  withdraw: z.record(z.string(), z.array(transferSchema)),
  deposit: z.record(z.string(), z.array(transferSchema)),
});
export type IndodaxTransHistory = z.infer<typeof transHistorySchema>;

const tradeSchema = looseJson({
  trade_id: id,
  order_id: id,
  type: z.enum(['buy', 'sell']),
  price: decimal,
  fee: decimal,
  trade_time: digits,
  client_order_id: z.string().optional(),
});
export type IndodaxTrade = z.infer<typeof tradeSchema>;

const orderSchema = looseJson({
  order_id: id,
  client_order_id: z.string().optional(),
  type: z.enum(['buy', 'sell']),
  price: decimal,
  order_type: z.string().optional(),
  submit_time: digits.optional(),
  finish_time: digits.optional(),
  status: z.string().optional(),
});
export type IndodaxOrder = z.infer<typeof orderSchema>;

const tradeResultSchema = looseJson({ order_id: id, client_order_id: z.string().optional(), fee: decimal.optional() });
export type IndodaxTradeResult = z.infer<typeof tradeResultSchema>;

const cancelResultSchema = looseJson({ order_id: id, client_order_id: z.string().optional(), type: z.enum(['buy', 'sell']), pair: z.string() });
export type IndodaxCancelResult = z.infer<typeof cancelResultSchema>;

const withdrawResultSchema = looseJson({
  status: z.string(),
  withdraw_currency: z.string(),
  withdraw_amount: decimal,
  fee: decimal,
  amount_after_fee: decimal,
  submit_time: digits,
  withdraw_id: id,
  txid: z.string().optional(),
});
export type IndodaxWithdrawResult = z.infer<typeof withdrawResultSchema>;

export interface TradeRequest {
  pair: string;
  type: 'buy' | 'sell';
  /** Left out for a limit buy sized in IDR: Indodax refuses `idr` together with an explicit `order_type=limit`. */
  orderType?: 'limit' | 'market';
  /** Limit price, in the quote currency. */
  price?: string;
  /** Amount in the quote currency (`idr=`): market buys, or limit buys sized in IDR. */
  quoteAmount?: string;
  /** Amount in the base currency (`btc=`): sells, or limit buys sized in coin. */
  baseAmount?: string;
  clientOrderId?: string;
  timeInForce?: 'GTC' | 'MOC';
}

export interface WithdrawRequest {
  currency: string;
  network?: string;
  /** Empty for a withdrawal to an Indodax username. */
  address: string;
  amount: string;
  memo?: string;
  requestId: string;
  username?: string;
}
