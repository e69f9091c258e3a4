import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import { adminBody } from '../admin/body';
import { adminError } from '../admin/errors';
import { namedPlugin } from '../http/named-plugin';
import type { ProviderModule, SandboxContext } from '../context';
import { bookGroundTruth } from '../core/ground-truth';
import { IdempotencyStore, type IdempotencySnapshot } from '../core/idempotency';
import { SECOND } from '../core/time';
import type { FindigiDeps } from './deps';
import { FX_REFRESH_MS, FxBoard, type RateSnapshot } from './fx';
import type { FindigiStateSnapshot } from './state';
import { findigiRoutes } from './routes';
import { postActivity, recordVaultTransfer, seedFindigi } from './seed';
import { FindigiSessions } from './session';
import { FindigiTransfers } from './transfers';
import { FindigiWebhooks } from './webhooks';

interface FindigiSnapshot {
  state: FindigiStateSnapshot;
  fx: ReadonlyMap<string, RateSnapshot[]>;
  idempotency: IdempotencySnapshot;
}

const VAULT_CONFIRMATION_MS = 30 * SECOND;

const webhookSchema = z
  .object({
    url: z.string().url().nullable(),
    callbackToken: z.string().min(1).optional(),
    signingSecrets: z.array(z.string().min(1)).optional(),
  })
  .strict();

const revokeSchema = z.object({ email: z.string().min(1).optional() }).strict();

export function createFindigiProvider(ctx: SandboxContext): ProviderModule {
  const random = ctx.random.fork('findigi');
  const options = ctx.options.findigi;
  const state = seedFindigi(random.fork('seed'), ctx.options.size, ctx.options.startTime, options.users);
  const webhooks = new FindigiWebhooks(
    ctx,
    { ...(options.webhookUrl === undefined ? {} : { url: options.webhookUrl }), callbackToken: options.callbackToken, signingSecrets: options.webhookSigningSecrets },
    random.fork('webhook-ids'),
  );
  const sessions = new FindigiSessions(
    { secret: options.jwtSecret, ttlSeconds: options.tokenTtlSeconds, twoFactorCode: options.twoFactorCode, wallClock: ctx.options.wallClock },
    random.fork('sessions'),
  );
  const deps: FindigiDeps = {
    ctx,
    state,
    sessions,
    transfers: new FindigiTransfers(state, ctx.clock, webhooks),
    fx: new FxBoard(random.fork('fx'), ctx.options.startTime),
    idempotency: new IdempotencyStore(),
  };
  const activity = random.fork('activity');
  const vaultConfirmation = ctx.clock.define<{ transactionId: string }>('findigi.finvault.confirm', ({ transactionId }) => {
    const transaction = state.vaultTransactions.get(transactionId);
    if (!transaction) return;
    transaction.status = 'confirmed';
    transaction.confirmedAt = ctx.clock.now();
    state.vault.book(transaction.entryId, ctx.clock.now());
  });

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
    // Ends sessions the way FinDIGI does on a password change or a security event: the JWTs answer 401.
    app.post('/sessions/revoke', (request, reply) => {
      const body = adminBody(revokeSchema, request, reply);
      if (!body) return reply;
      if (body.email === undefined) return { revoked: sessions.revoke() };
      const user = state.userByEmail(body.email);
      if (!user) return adminError(reply, 'not_found', `no FinDIGI user ${body.email}`);
      return { revoked: sessions.revoke(user.id) };
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
          vaultConfirmation.in(VAULT_CONFIRMATION_MS, { transactionId: id });
        }
      });
    },
    // The webhook target comes from the options at every start (npm start's ingress URL may change); sessions are wall-clock protocol state.
    snapshot: (): FindigiSnapshot => ({ state: state.snapshot(), fx: deps.fx.snapshot(), idempotency: deps.idempotency.snapshot() }),
    restore: (snapshot) => {
      const saved = snapshot as FindigiSnapshot;
      state.restore(saved.state);
      deps.fx.restore(saved.fx);
      deps.idempotency.restore(saved.idempotency);
    },
  };
}
