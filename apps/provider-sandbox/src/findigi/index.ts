import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import { adminBody } from '../admin/body';
import { namedPlugin } from '../http/named-plugin';
import type { ProviderModule, SandboxContext } from '../context';
import { bookGroundTruth } from '../core/ground-truth';
import { IdempotencyStore } from '../core/idempotency';
import { SECOND } from '../core/time';
import type { FindigiDeps } from './deps';
import { FX_REFRESH_MS, FxBoard } from './fx';
import { findigiRoutes } from './routes';
import { postActivity, recordVaultTransfer, seedFindigi } from './seed';
import { FindigiSessions } from './session';
import { FindigiTransfers } from './transfers';
import { FindigiWebhooks } from './webhooks';

const VAULT_CONFIRMATION_MS = 30 * SECOND;

const webhookSchema = z
  .object({
    url: z.string().url().nullable(),
    callbackToken: z.string().min(1).optional(),
    signingSecrets: z.array(z.string().min(1)).optional(),
  })
  .strict();

export function createFindigiProvider(ctx: SandboxContext): ProviderModule {
  const random = ctx.random.fork('findigi');
  const options = ctx.options.findigi;
  const state = seedFindigi(random.fork('seed'), ctx.options.size, ctx.options.startTime, options.users);
  const webhooks = new FindigiWebhooks(
    ctx,
    { ...(options.webhookUrl === undefined ? {} : { url: options.webhookUrl }), callbackToken: options.callbackToken, signingSecrets: options.webhookSigningSecrets },
    random.fork('webhook-ids'),
  );
  const deps: FindigiDeps = {
    ctx,
    state,
    sessions: new FindigiSessions(
      { secret: options.jwtSecret, ttlSeconds: options.tokenTtlSeconds, twoFactorCode: options.twoFactorCode, wallClock: ctx.options.wallClock },
      random.fork('sessions'),
    ),
    transfers: new FindigiTransfers(state, ctx.clock, webhooks),
    fx: new FxBoard(random.fork('fx'), ctx.options.startTime),
    idempotency: new IdempotencyStore(),
  };
  const activity = random.fork('activity');

  const adminRoutes: FastifyPluginAsync = namedPlugin('findigi-admin', (app) => {
    app.get('/webhook', () => ({ url: webhooks.target.url ?? null, callbackToken: webhooks.target.callbackToken, signingSecrets: webhooks.target.signingSecrets }));
    app.put('/webhook', (request, reply) => {
      const body = adminBody(webhookSchema, request, reply);
      if (!body) return reply;
      if (body.url === null) delete webhooks.target.url;
      else webhooks.target.url = body.url;
      if (body.callbackToken !== undefined) webhooks.target.callbackToken = body.callbackToken;
      if (body.signingSecrets !== undefined) webhooks.target.signingSecrets = body.signingSecrets;
      return { url: webhooks.target.url ?? null };
    });
    return Promise.resolve();
  });

  return {
    id: 'findigi',
    routes: findigiRoutes(deps),
    adminRoutes,
    groundTruth: (query) => [
      ...bookGroundTruth(
        'findigi',
        state.fiat,
        query,
        (account) => {
          const wallet = state.wallets.get(account.id);
          return { kind: 'fiat_wallet', wallet_id: account.id, client_id: wallet?.clientId ?? '', currency: account.asset.code };
        },
        (entry) => ({ history_id: entry.id, reference_type: entry.meta.referenceType, reference_id: entry.meta.referenceId }),
      ),
      ...bookGroundTruth(
        'findigi',
        state.vault,
        query,
        (account) => {
          const [walletId = '', symbol = ''] = account.id.split(':');
          const wallet = state.vaultWallets.get(walletId);
          return { kind: 'finvault', wallet_id: walletId, client_id: wallet?.clientId ?? '', symbol, network: wallet?.network ?? '' };
        },
        (entry) => ({ transaction_id: entry.meta.transactionId }),
      ),
    ],
    startLiveActivity: () => {
      ctx.clock.every(FX_REFRESH_MS, 'findigi fx refresh', () => deps.fx.tick(ctx.clock.now()));
      ctx.clock.every(ctx.options.activityIntervalMs, 'findigi activity', () => {
        for (const wallet of state.wallets.values()) {
          if (activity.chance(0.2)) postActivity(state, activity, wallet, ctx.clock.now());
        }
        for (const wallet of state.vaultWallets.values()) {
          if (!activity.chance(0.1)) continue;
          const vaultAsset = activity.pick(wallet.assets);
          const id = recordVaultTransfer(state, activity, wallet, vaultAsset.symbol, vaultAsset.asset, ctx.clock.now(), 'pending');
          ctx.clock.scheduleIn(VAULT_CONFIRMATION_MS, `finvault confirm ${id}`, () => {
            const transaction = state.vaultTransactions.get(id);
            if (!transaction) return;
            transaction.status = 'confirmed';
            transaction.confirmedAt = ctx.clock.now();
            state.vault.book(transaction.entryId, ctx.clock.now());
          });
        }
      });
    },
  };
}
