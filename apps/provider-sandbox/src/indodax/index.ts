import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import { adminBody } from '../admin/body';
import { namedPlugin } from '../http/named-plugin';
import { adminError } from '../admin/errors';
import type { ProviderModule, SandboxContext } from '../context';
import { bookGroundTruth } from '../core/ground-truth';
import { SECOND } from '../core/time';
import { formatMinor, parseDecimal } from '../core/money';
import { CURRENCIES, PAIRS, findPair } from './currencies';
import { IndodaxExchange } from './exchange';
import { TapiRateLimits } from './rate-limits';
import { indodaxRoutes } from './routes';
import { moveMoney, recordIncoming, seedIndodax } from './seed';
import type { TapiDeps } from './tapi';
import { CallbackWithdrawals } from './withdrawals';
import type { IndodaxStateSnapshot } from './state';

/** Market prices move (and resting orders fill) every MARKET_TICK_MS of sandbox time. */
const MARKET_TICK_MS = 10 * SECOND;
const COIN_CONFIRMATION_MS = 30 * SECOND;

const callbackUrlSchema = z.object({ apiKey: z.string().min(1).optional(), url: z.string().url().nullable() }).strict();
const priceSchema = z.object({ pair: z.string(), price: z.string().regex(/^\d+(\.\d+)?$/) }).strict();

interface IndodaxSnapshot {
  state: IndodaxStateSnapshot;
  callbackUrls: ReadonlyMap<string, string | null>;
}

export function createIndodaxProvider(ctx: SandboxContext): ProviderModule {
  const random = ctx.random.fork('indodax');
  const state = seedIndodax(random.fork('seed'), ctx.options.size, ctx.options.startTime);
  const exchange = new IndodaxExchange(state, ctx.clock);
  const withdrawals = new CallbackWithdrawals(ctx, state, random.fork('withdrawals'));
  const deps: TapiDeps = { ctx, state, exchange, limits: new TapiRateLimits(ctx.options.wallClock), withdrawals };
  const activity = random.fork('activity');
  const confirmDeposit = ctx.clock.define<{ depositId: number }>('indodax.deposit.confirm', ({ depositId }) => {
    const deposit = state.deposits.find((candidate) => candidate.id === depositId);
    if (deposit) state.confirmDeposit(deposit, ctx.clock.now());
  });
  const marketTick = ctx.clock.define('indodax.market', () => exchange.tick(activity));
  const liveActivity = ctx.clock.define('indodax.activity', () => {
    for (const entry of CURRENCIES) {
      if (!activity.chance(0.15)) continue;
      if (entry.code === 'idr' || activity.chance(0.5)) {
        moveMoney(state, activity, entry, ctx.clock.now());
        continue;
      }
      // A coin deposit waits for confirmations before it counts.
      const before = state.deposits.length;
      recordIncoming(state, activity, entry, ctx.clock.now(), false, 10n ** 6n * BigInt(activity.int(1, 100)));
      const deposit = state.deposits[before];
      if (deposit) confirmDeposit.in(COIN_CONFIRMATION_MS, { depositId: deposit.id });
    }
  });

  const adminRoutes: FastifyPluginAsync = namedPlugin('indodax-admin', (app) => {
    app.get('/callback-url', () => ({
      keys: ctx.options.indodax.keys.map((key) => ({ apiKey: key.apiKey, callbackUrl: withdrawals.callbackUrl(key) ?? null })),
    }));
    app.put('/callback-url', (request, reply) => {
      const body = adminBody(callbackUrlSchema, request, reply);
      if (!body) return reply;
      const keys = ctx.options.indodax.keys.filter((key) => body.apiKey === undefined || key.apiKey === body.apiKey);
      if (keys.length === 0) return adminError(reply, 'not_found', `no Indodax key ${body.apiKey ?? ''}`);
      for (const key of keys) withdrawals.setCallbackUrl(key.apiKey, body.url);
      return { keys: keys.map((key) => ({ apiKey: key.apiKey, callbackUrl: body.url })) };
    });
    app.get('/prices', () => ({
      prices: Object.fromEntries(PAIRS.map((pair) => [pair.id, formatMinor(state.prices.get(pair.id) ?? 0n, pair.quote.asset.precision)])),
    }));
    app.put('/prices', (request, reply) => {
      const body = adminBody(priceSchema, request, reply);
      if (!body) return reply;
      const pair = findPair(body.pair);
      if (!pair) return adminError(reply, 'not_found', `no pair ${body.pair}`);
      const price = parseDecimal(body.price, pair.quote.asset.precision);
      if (!price.ok || price.minor <= 0n) return adminError(reply, 'bad_request', `price must be positive with at most ${pair.quote.asset.precision} decimals`);
      exchange.setPrice(pair.id, price.minor);
      return { pair: pair.id, price: formatMinor(price.minor, pair.quote.asset.precision) };
    });
    return Promise.resolve();
  });

  return {
    id: 'indodax',
    routes: indodaxRoutes(deps),
    adminRoutes,
    groundTruth: (query) =>
      bookGroundTruth(
        'indodax',
        state.book,
        query,
        (account) => ({ currency: account.id, user_id: state.user.userId }),
        (entry) => ({ [`${entry.meta.source}_id`]: entry.meta.sourceId }),
      ),
    startLiveActivity: () => {
      marketTick.every(MARKET_TICK_MS, {});
      liveActivity.every(ctx.options.activityIntervalMs, {});
    },
    snapshot: (): IndodaxSnapshot => ({ state: state.snapshot(), callbackUrls: withdrawals.snapshot() }),
    restore: (snapshot) => {
      const saved = snapshot as IndodaxSnapshot;
      state.restore(saved.state);
      withdrawals.restore(saved.callbackUrls);
    },
  };
}
