import { namedPlugin } from '../http/named-plugin';
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import { verifyBearerToken } from '@finmesh/signing';
import { z } from 'zod';
import type { ProviderModule, SandboxContext } from '../context';
import { faultSpecSchema } from '../core/faults';
import type { GroundTruthAccount } from '../core/ground-truth';
import { PROVIDER_IDS, isProviderId, type ProviderId } from '../core/providers';
import { iso } from '../core/time';
import { adminBody } from './body';
import { adminError } from './errors';

const advanceSchema = z
  .object({
    ms: z.number().int().min(0).optional(),
    seconds: z.number().min(0).optional(),
    to: z.string().datetime({ offset: true }).optional(),
  })
  .strict()
  .refine((body) => [body.ms, body.seconds, body.to].filter((value) => value !== undefined).length === 1, {
    message: 'give exactly one of ms, seconds or to',
  });

const modeSchema = z.object({ mode: z.enum(['manual', 'realtime']), speed: z.number().positive().max(10_000).optional() }).strict();

/**
 * The admin API (`/_admin`, bearer admin token): the clock, the ground truth, faults and the
 * callback log, plus each provider's own controls under `/_admin/<provider>`.
 */
export function adminRoutes(ctx: SandboxContext, providers: readonly ProviderModule[]): FastifyPluginAsync {
  return namedPlugin('admin', async (app: FastifyInstance) => {
    app.addHook('onRequest', (request, reply, done) => {
      const verification = verifyBearerToken(request.headers, [ctx.options.adminToken]);
      if (verification.ok) {
        done();
        return;
      }
      adminError(reply, 'unauthorized', `admin routes need Authorization: Bearer <admin token> (${verification.detail})`);
    });
    app.setNotFoundHandler((request, reply) => adminError(reply, 'not_found', `no admin route ${request.method} ${request.url}`));

    app.get('/clock', () => ctx.clock.status);

    app.post('/clock/advance', async (request, reply) => {
      const body = adminBody(advanceSchema, request, reply);
      if (!body) return reply;
      const now = ctx.clock.now();
      const target = body.to !== undefined ? Date.parse(body.to) : now + (body.ms ?? Math.round((body.seconds ?? 0) * 1000));
      if (target < now) return adminError(reply, 'bad_request', `the clock is at ${iso(now)} and only moves forward`);
      const result = ctx.clock.advanceTo(target);
      // Callbacks the advance triggered have been attempted by the time the caller gets the answer.
      await ctx.callbacks.idle();
      return { now: iso(result.now), tasksRun: result.tasksRun };
    });

    app.put('/clock/mode', (request, reply) => {
      const body = adminBody(modeSchema, request, reply);
      if (!body) return reply;
      ctx.clock.setMode(body.mode, body.speed ?? 1);
      return ctx.clock.status;
    });

    app.get<{ Querystring: Record<string, string | undefined> }>('/ground-truth', (request, reply) => {
      const { provider, account, transactions } = request.query;
      if (provider !== undefined && !isProviderId(provider)) {
        return adminError(reply, 'bad_request', `provider must be one of ${PROVIDER_IDS.join(', ')}`);
      }
      if (account !== undefined && provider === undefined) {
        return adminError(reply, 'bad_request', 'account needs provider');
      }
      if (transactions !== undefined && transactions !== 'true' && transactions !== 'false') {
        return adminError(reply, 'bad_request', 'transactions must be true or false');
      }
      const query = { includeTransactions: transactions !== 'false', ...(account === undefined ? {} : { accountId: account }) };
      const result: Partial<Record<ProviderId, GroundTruthAccount[]>> = {};
      for (const module of providers) {
        if (provider === undefined || module.id === provider) result[module.id] = module.groundTruth(query);
      }
      if (account !== undefined && provider !== undefined && result[provider]?.length === 0) {
        return adminError(reply, 'not_found', `${provider} has no account ${account}`);
      }
      return { asOf: iso(ctx.clock.now()), providers: result };
    });

    app.get('/faults', () => ({ faults: ctx.faults.list() }));

    app.post('/faults', (request, reply) => {
      const body = adminBody(faultSpecSchema, request, reply);
      if (!body) return reply;
      return reply.code(201).send(ctx.faults.add(body));
    });

    app.delete<{ Params: { id: string } }>('/faults/:id', (request, reply) => {
      if (!ctx.faults.remove(request.params.id)) return adminError(reply, 'not_found', `no fault ${request.params.id}`);
      return reply.code(204).send();
    });

    app.delete<{ Querystring: { provider?: string } }>('/faults', (request, reply) => {
      const { provider } = request.query;
      if (provider !== undefined && !isProviderId(provider)) {
        return adminError(reply, 'bad_request', `provider must be one of ${PROVIDER_IDS.join(', ')}`);
      }
      return { removed: ctx.faults.clear(provider) };
    });

    app.get<{ Querystring: { provider?: string } }>('/callbacks', (request, reply) => {
      const { provider } = request.query;
      if (provider !== undefined && !isProviderId(provider)) {
        return adminError(reply, 'bad_request', `provider must be one of ${PROVIDER_IDS.join(', ')}`);
      }
      return { callbacks: ctx.callbacks.deliveries(provider) };
    });

    app.post('/callbacks/flush', async () => {
      await ctx.callbacks.flush();
      return { callbacks: ctx.callbacks.deliveries().length };
    });

    app.get('/config', () => ({
      seed: ctx.options.seed,
      size: ctx.options.size,
      startTime: iso(ctx.options.startTime),
      clock: ctx.clock.status,
      basePaths: ctx.options.basePaths,
      credentials: {
        indx: ctx.options.indx.credentials,
        indexo: { subscriptionKeys: ctx.options.indexo.subscriptionKeys, sandboxRules: ctx.options.indexo.sandboxRules },
        indodax: ctx.options.indodax.keys,
        findigi: { users: ctx.options.findigi.users, twoFactorCode: ctx.options.findigi.twoFactorCode },
        finx: { tokens: ctx.options.finx.tokens },
      },
    }));

    for (const module of providers) {
      if (module.adminRoutes) await app.register(module.adminRoutes, { prefix: `/${module.id}` });
    }
  });
}
