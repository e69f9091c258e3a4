import { z } from 'zod';
import type { FindigiFxQuote, FindigiFxTicker } from './client';

const code = '[A-Z0-9]{2,12}';
const pairPattern = new RegExp(`^${code}/${code}$`);

/** `GET /v1/fx/tickers` query: `pairs` (comma-separated `BASE/QUOTE`), `minFreshSeconds`, `changeWindowHours`. */
export const fxTickersQuerySchema = z.strictObject({
  pairs: z
    .string()
    .transform((value) => value.split(',').map((pair) => pair.trim().toUpperCase()))
    .pipe(z.array(z.string().regex(pairPattern, { message: 'each pair must be BASE/QUOTE, e.g. USD/IDR' })).min(1).max(50))
    .optional(),
  minFreshSeconds: z.string().regex(/^\d{1,5}$/, { message: 'must be whole seconds' }).transform(Number).optional(),
  changeWindowHours: z
    .string()
    .regex(/^\d{1,2}$/, { message: 'must be whole hours' })
    .transform(Number)
    .pipe(z.number().min(1).max(48))
    .optional(),
});

/** `GET /v1/fx/quote` query: `base`, `quote`, `ttlSeconds` (1-300). */
export const fxQuoteQuerySchema = z.strictObject({
  base: z.string().regex(new RegExp(`^${code}$`), { message: 'must be a currency code, e.g. USD' }),
  quote: z.string().regex(new RegExp(`^${code}$`), { message: 'must be a currency code, e.g. IDR' }),
  ttlSeconds: z.string().regex(/^\d{1,3}$/, { message: 'must be whole seconds' }).transform(Number).pipe(z.number().min(1).max(300)).optional(),
});

export interface FxTickerView {
  pair: string;
  base: string;
  quote: string;
  /** Exact decimal string as FinDIGI wrote it (ten decimals); never a float. */
  rate: string;
  previousRate: string | null;
  change: string | null;
  changePercent: string | null;
  trend: 'up' | 'down' | 'flat';
  baselineQuotedAt: string | null;
  /** Seconds since FinDIGI took the rate (FinDIGI's own count). */
  ageSeconds: number;
  /** When the rate was taken: the time it was read here minus its age (second precision). */
  quotedAt: string;
  /** Older than `minFreshSeconds` (FinDIGI's `is_fresh` is false). */
  stale: boolean;
  /** Past FinDIGI's quote lifetime: not to be used for pricing. */
  expired: boolean;
}

export interface FxTickersView {
  observedAt: string;
  minFreshSeconds: number;
  changeWindowHours: number;
  /** True when any rate is stale or expired. */
  stale: boolean;
  data: FxTickerView[];
}

export interface FxQuoteView {
  pair: string;
  base: string;
  quote: string;
  rate: string;
  quotedAt: string;
  expiresAt: string;
  ttlSeconds: number;
}

export function fxTickerView(ticker: FindigiFxTicker, observedAt: Date): FxTickerView {
  const [base = '', quote = ''] = ticker.pair.split('/');
  return {
    pair: ticker.pair,
    base,
    quote,
    rate: ticker.rate,
    previousRate: ticker.previous_rate,
    change: ticker.change_value,
    changePercent: ticker.change_pct,
    trend: ticker.trend_direction,
    baselineQuotedAt: ticker.baseline_quoted_at,
    ageSeconds: ticker.age_seconds,
    quotedAt: new Date(observedAt.getTime() - ticker.age_seconds * 1000).toISOString(),
    stale: !ticker.is_fresh,
    expired: ticker.is_expired,
  };
}

export function fxTickersView(tickers: { change_window_hours: number; items: FindigiFxTicker[] }, minFreshSeconds: number, observedAt: Date): FxTickersView {
  const data = tickers.items.map((ticker) => fxTickerView(ticker, observedAt));
  return {
    observedAt: observedAt.toISOString(),
    minFreshSeconds,
    changeWindowHours: tickers.change_window_hours,
    stale: data.some((ticker) => ticker.stale || ticker.expired),
    data,
  };
}

export function fxQuoteView(quote: FindigiFxQuote): FxQuoteView {
  return { pair: quote.pair, base: quote.base, quote: quote.quote, rate: quote.rate, quotedAt: quote.quoted_at, expiresAt: quote.expires_at, ttlSeconds: quote.ttl };
}
