import type { FindigiFxTicker } from './client';
import { fxQuoteQuerySchema, fxQuoteView, fxTickersQuerySchema, fxTickersView, fxTickerView } from './fx';

const ticker: FindigiFxTicker = {
  pair: 'USD/IDR',
  rate: '17097.0000000000',
  previous_rate: '17010.0000000000',
  change_value: '87.0000000000',
  change_pct: '0.5115',
  trend_direction: 'up',
  baseline_quoted_at: '2026-04-10T18:00:00.000Z',
  comparison_available: true,
  age_seconds: 4,
  is_expired: false,
  is_fresh: true,
};
const observedAt = new Date('2026-04-11T06:00:10.000Z');

describe('FinDIGI FX on the connector API', () => {
  it('keeps rates as FinDIGI wrote them and derives when a rate was taken from its age', () => {
    expect(fxTickerView(ticker, observedAt)).toEqual({
      pair: 'USD/IDR',
      base: 'USD',
      quote: 'IDR',
      rate: '17097.0000000000',
      previousRate: '17010.0000000000',
      change: '87.0000000000',
      changePercent: '0.5115',
      trend: 'up',
      baselineQuotedAt: '2026-04-10T18:00:00.000Z',
      ageSeconds: 4,
      quotedAt: '2026-04-11T06:00:06.000Z',
      stale: false,
      expired: false,
    });
  });

  it('flags the feed stale when any rate is stale or expired', () => {
    const fresh = fxTickersView({ change_window_hours: 12, items: [ticker] }, 15, observedAt);
    expect(fresh).toMatchObject({ stale: false, minFreshSeconds: 15, changeWindowHours: 12, observedAt: '2026-04-11T06:00:10.000Z' });
    const old = fxTickersView({ change_window_hours: 12, items: [ticker, { ...ticker, pair: 'USD/SGD', age_seconds: 20, is_fresh: false }] }, 15, observedAt);
    expect(old.stale).toBe(true);
    expect(old.data[1]).toMatchObject({ stale: true, expired: false });
    expect(fxTickersView({ change_window_hours: 12, items: [{ ...ticker, is_expired: true }] }, 3600, observedAt).stale).toBe(true);
  });

  it('reads the queries strictly', () => {
    expect(fxTickersQuerySchema.parse({ pairs: 'usd/idr, USDT/SGD', minFreshSeconds: '30', changeWindowHours: '24' })).toEqual({ pairs: ['USD/IDR', 'USDT/SGD'], minFreshSeconds: 30, changeWindowHours: 24 });
    expect(fxTickersQuerySchema.safeParse({ pairs: 'USDIDR' }).success).toBe(false);
    expect(fxTickersQuerySchema.safeParse({ changeWindowHours: '49' }).success).toBe(false);
    expect(fxTickersQuerySchema.safeParse({ minFreshSeconds: '1.5' }).success).toBe(false);
    expect(fxTickersQuerySchema.safeParse({ other: 'x' }).success).toBe(false);
    expect(fxQuoteQuerySchema.parse({ base: 'USD', quote: 'IDR', ttlSeconds: '30' })).toEqual({ base: 'USD', quote: 'IDR', ttlSeconds: 30 });
    expect(fxQuoteQuerySchema.safeParse({ base: 'USD', quote: 'IDR', ttlSeconds: '301' }).success).toBe(false);
    expect(fxQuoteQuerySchema.safeParse({ base: 'USD' }).success).toBe(false);
  });

  it('passes a quote through with its validity', () => {
    expect(fxQuoteView({ pair: 'USD/IDR', base: 'USD', quote: 'IDR', rate: '16250.1234567890', quoted_at: '2026-04-11T06:00:00.000Z', expires_at: '2026-04-11T06:00:15.000Z', ttl: 15 })).toEqual({
      pair: 'USD/IDR',
      base: 'USD',
      quote: 'IDR',
      rate: '16250.1234567890',
      quotedAt: '2026-04-11T06:00:00.000Z',
      expiresAt: '2026-04-11T06:00:15.000Z',
      ttlSeconds: 15,
    });
  });
});
