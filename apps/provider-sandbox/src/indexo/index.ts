import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import { adminBody } from '../admin/body';
import { namedPlugin } from '../http/named-plugin';
import type { ProviderModule, SandboxContext } from '../context';
import { bookGroundTruth } from '../core/ground-truth';
import { IdempotencyStore, type IdempotencySnapshot } from '../core/idempotency';
import type { IndexoDeps } from './deps';
import { IndexoLifecycle, type IndexoScenario } from './lifecycle';
import type { IndexoStateSnapshot } from './state';
import { IndexoNotifier } from './notifications';
import { indexoRoutes } from './routes';
import { postActivity, seedIndexo } from './seed';

interface IndexoSnapshot {
  state: IndexoStateSnapshot;
  scenario: IndexoScenario;
  idempotency: IdempotencySnapshot;
}

const scenarioSchema = z
  .object({ scaOutcome: z.enum(['finalised', 'failed', 'never']).optional(), paymentOutcome: z.enum(['settle', 'reject']).optional() })
  .strict();

export function createIndexoProvider(ctx: SandboxContext): ProviderModule {
  const random = ctx.random.fork('indexo');
  const state = seedIndexo(random.fork('seed'), ctx.options.size, ctx.options.startTime);
  const lifecycle = new IndexoLifecycle(state, ctx.clock, new IndexoNotifier(ctx, random.fork('notifications')), ctx.options.indexo.sandboxRules, {
    scaOutcome: 'finalised',
    paymentOutcome: 'settle',
  });
  const idempotency = new IdempotencyStore();
  const deps: IndexoDeps = { ctx, state, lifecycle, random: random.fork('requests'), idempotency };
  const activity = random.fork('activity');
  const liveActivity = ctx.clock.define('indexo.activity', () => {
    for (const account of state.accounts.values()) {
      if (activity.chance(0.2)) postActivity(state, activity, account, ctx.clock.now());
    }
  });

  const adminRoutes: FastifyPluginAsync = namedPlugin('indexo-admin', (app) => {
    app.get('/scenario', () => lifecycle.scenario);
    app.put('/scenario', (request, reply) => {
      const body = adminBody(scenarioSchema, request, reply);
      if (!body) return reply;
      Object.assign(lifecycle.scenario, body);
      return lifecycle.scenario;
    });
    return Promise.resolve();
  });

  return {
    id: 'indexo',
    routes: indexoRoutes(deps),
    adminRoutes,
    groundTruth: (query) =>
      bookGroundTruth(
        'indexo',
        state.book,
        query,
        (account) => {
          const indexoAccount = state.accounts.get(account.id);
          return { resourceId: account.id, iban: indexoAccount?.iban ?? '', psuId: indexoAccount?.psuId ?? '' };
        },
        (entry) => ({
          transactionId: entry.id,
          entryReference: entry.meta.entryReference,
          ...(entry.meta.paymentId === undefined ? {} : { paymentId: entry.meta.paymentId }),
        }),
      ),
    startLiveActivity: () => {
      liveActivity.every(ctx.options.activityIntervalMs, {});
    },
    snapshot: (): IndexoSnapshot => ({ state: state.snapshot(), scenario: lifecycle.scenario, idempotency: idempotency.snapshot() }),
    restore: (snapshot) => {
      const saved = snapshot as IndexoSnapshot;
      state.restore(saved.state);
      Object.assign(lifecycle.scenario, saved.scenario);
      idempotency.restore(saved.idempotency);
    },
  };
}
