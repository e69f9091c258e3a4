import type { ProviderModule, SandboxContext } from '../context';
import { bookGroundTruth } from '../core/ground-truth';
import { finxRoutes } from './routes';
import { activityDelta, seedFinx } from './seed';
import type { FinxStateSnapshot } from './state';

export function createFinxProvider(ctx: SandboxContext): ProviderModule {
  const random = ctx.random.fork('finx');
  const state = seedFinx(random.fork('seed'), ctx.options.size, ctx.options.startTime);
  const activity = random.fork('activity');
  const liveActivity = ctx.clock.define('finx.activity', () => {
    for (const account of state.list()) {
      if (!activity.chance(0.25)) continue;
      const unit = 10n ** BigInt(state.asset(account.id).precision);
      state.move(account.id, activityDelta(activity, state.balance(account.id), unit), ctx.clock.now());
    }
  });
  return {
    id: 'finx',
    routes: finxRoutes(ctx, state),
    groundTruth: (query) =>
      bookGroundTruth(
        'finx',
        state.book,
        query,
        (account): Record<string, string> => {
          const live = state.get(account.id);
          return live ? { id: account.id, type: live.type, owner_id: live.ownerId, currency: account.asset.code } : { id: account.id };
        },
        () => ({}),
      ),
    startLiveActivity: () => {
      liveActivity.every(ctx.options.activityIntervalMs, {});
    },
    snapshot: () => state.snapshot(),
    restore: (snapshot) => state.restore(snapshot as FinxStateSnapshot),
  };
}
