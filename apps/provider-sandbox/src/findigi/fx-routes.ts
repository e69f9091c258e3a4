import type { FastifyInstance } from 'fastify';
import { HOUR, iso, SECOND } from '../core/time';
import { singleQueryParam } from '../http/raw-body';
import type { FindigiDeps } from './deps';
import { findigiError } from './errors';
import { changePercent, formatRate, FX_PAIRS, FX_QUOTE_TTL_SECONDS } from './fx';

/** FX reference quotes and the dashboard ticker feed (public, test header required). */
export function registerFxRoutes(app: FastifyInstance, { ctx, fx }: FindigiDeps): void {
  app.get('/api/fx/tickers', (request, reply) => {
    const pairsText = singleQueryParam(request, 'pairs');
    const freshText = singleQueryParam(request, 'min_fresh_seconds');
    const windowText = singleQueryParam(request, 'change_window_hours');
    if (typeof pairsText === 'object' || typeof freshText === 'object' || typeof windowText === 'object') {
      return findigiError(reply, 'VALIDATION_ERROR', 'Query parameters may be given once each.');
    }
    const pairs = pairsText === undefined ? FX_PAIRS : pairsText.split(',').map((pair) => pair.trim().toUpperCase());
    const unknown = pairs.filter((pair) => !FX_PAIRS.includes(pair));
    if (unknown.length > 0) return findigiError(reply, 'VALIDATION_ERROR', `Unknown pairs ${unknown.join(', ')}; available: ${FX_PAIRS.join(', ')}.`);
    const minFresh = freshText === undefined ? 15 : Number(freshText);
    const windowHours = windowText === undefined ? 12 : Number(windowText);
    if (!Number.isInteger(minFresh) || minFresh < 0) return findigiError(reply, 'VALIDATION_ERROR', 'min_fresh_seconds must be a non-negative integer.');
    if (!Number.isInteger(windowHours) || windowHours < 1 || windowHours > 48) {
      return findigiError(reply, 'VALIDATION_ERROR', 'change_window_hours must be an integer from 1 to 48.');
    }
    const now = ctx.clock.now();
    const items = pairs.map((pair) => {
      const latest = fx.latest(pair);
      if (!latest) throw new Error(`no rate for ${pair}`);
      const baseline = fx.at(pair, now - windowHours * HOUR);
      const ageSeconds = Math.floor((now - latest.at) / SECOND);
      const change = baseline === undefined ? undefined : latest.rate - baseline.rate;
      return {
        pair,
        rate: formatRate(latest.rate),
        previous_rate: baseline === undefined ? null : formatRate(baseline.rate),
        change_value: change === undefined ? null : formatRate(change),
        change_pct: baseline === undefined ? null : changePercent(latest.rate, baseline.rate),
        trend_direction: change === undefined || change === 0n ? 'flat' : change > 0n ? 'up' : 'down',
        baseline_quoted_at: baseline === undefined ? null : iso(baseline.at),
        comparison_available: baseline !== undefined,
        age_seconds: ageSeconds,
        is_expired: ageSeconds > FX_QUOTE_TTL_SECONDS,
        is_fresh: ageSeconds <= minFresh,
      };
    });
    return reply.send({ ok: true, change_window_hours: windowHours, items });
  });

  app.get('/api/fx/quote', (request, reply) => {
    const base = singleQueryParam(request, 'base');
    const quote = singleQueryParam(request, 'quote');
    const ttlText = singleQueryParam(request, 'ttl');
    if (typeof base !== 'string' || typeof quote !== 'string') {
      return findigiError(reply, 'VALIDATION_ERROR', 'Required input is missing or invalid. base and quote are required.');
    }
    if (typeof ttlText === 'object') return findigiError(reply, 'VALIDATION_ERROR', 'ttl may be given once.');
    const ttl = ttlText === undefined ? 15 : Number(ttlText);
    if (!Number.isInteger(ttl) || ttl < 1 || ttl > 300) return findigiError(reply, 'VALIDATION_ERROR', 'ttl must be an integer from 1 to 300 seconds.');
    const pair = `${base.toUpperCase()}/${quote.toUpperCase()}`;
    const latest = fx.latest(pair);
    if (!latest) return findigiError(reply, 'VALIDATION_ERROR', `No FX rate for ${pair}; available: ${FX_PAIRS.join(', ')}.`);
    const now = ctx.clock.now();
    return reply.send({
      ok: true,
      pair,
      base: base.toUpperCase(),
      quote: quote.toUpperCase(),
      rate: formatRate(latest.rate),
      quoted_at: iso(now),
      expires_at: iso(now + ttl * SECOND),
      ttl,
    });
  });
}
