import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import { adminBody } from '../admin/body';
import { namedPlugin } from '../http/named-plugin';
import type { ProviderModule, SandboxContext } from '../context';
import { bookGroundTruth } from '../core/ground-truth';
import { IdempotencyStore, type IdempotencySnapshot } from '../core/idempotency';
import { IndxLifecycle, type IndxScenario } from './lifecycle';
import type { IndxStateSnapshot } from './state';
import { indxRoutes } from './routes';
import { postActivity, seedIndx } from './seed';

interface IndxSnapshot {
  state: IndxStateSnapshot;
  scenario: IndxScenario;
  idempotency: IdempotencySnapshot;
}

const scenarioSchema = z.object({ wireOutcome: z.enum(['complete', 'fail']).optional() }).strict();

export function createIndxProvider(ctx: SandboxContext): ProviderModule {
  const random = ctx.random.fork('indx');
  const state = seedIndx(random.fork('seed'), ctx.options.size, ctx.options.startTime);
  const lifecycle = new IndxLifecycle(state, ctx.clock, { wireOutcome: 'complete' });
  const activity = random.fork('activity');
  const idempotency = new IdempotencyStore();
  const liveActivity = ctx.clock.define('indx.activity', () => {
    for (const account of state.accounts.values()) {
      if (activity.chance(0.2)) postActivity(state, activity, account, ctx.clock.now());
    }
  });

  const adminRoutes: FastifyPluginAsync = namedPlugin('indx-admin', (app) => {
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
    id: 'indx',
    routes: indxRoutes({ ctx, state, lifecycle, idempotency }),
    adminRoutes,
    groundTruth: (query) =>
      bookGroundTruth(
        'indx',
        state.book,
        query,
        (account) => ({ accountId: account.id, currency: account.asset.code, accountNumber: state.accounts.get(account.id)?.accountNumber ?? '' }),
        (entry) => ({
          transactionId: entry.id,
          type: entry.kind,
          ...(entry.meta.wireTransferId === undefined ? {} : { wireTransferId: entry.meta.wireTransferId }),
          ...(entry.meta.transferId === undefined ? {} : { transferId: entry.meta.transferId }),
        }),
      ),
    startLiveActivity: () => {
      liveActivity.every(ctx.options.activityIntervalMs, {});
    },
    snapshot: (): IndxSnapshot => ({ state: state.snapshot(), scenario: lifecycle.scenario, idempotency: idempotency.snapshot() }),
    restore: (snapshot) => {
      const saved = snapshot as IndxSnapshot;
      state.restore(saved.state);
      Object.assign(lifecycle.scenario, saved.scenario);
      idempotency.restore(saved.idempotency);
    },
  };
}
