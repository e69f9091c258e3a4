import { namedPlugin } from '../http/named-plugin';
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import { installProviderHttp } from '../http/provider-http';
import { registerApprovalRoutes } from './approval-routes';
import { registerBatchRoutes } from './batch-routes';
import { registerLoginRoutes, registerSessionRoutes } from './auth-routes';
import type { FindigiDeps } from './deps';
import { findigiError } from './errors';
import { registerFiatRoutes } from './fiat-routes';
import { registerFinvaultRoutes } from './finvault-routes';
import { registerFxRoutes } from './fx-routes';
import { registerPayoutRoutes } from './payout-routes';
import { requireSession, requireTestMode } from './request-context';
import { registerWalletRoutes } from './wallet-routes';

/**
 * FinDIGI under its base path (`/api/...`). Login is public; FX is public but test-mode only;
 * everything else needs the Bearer JWT and `x-findigi-is-test: true`.
 */
export function findigiRoutes(deps: FindigiDeps): FastifyPluginAsync {
  const { ctx } = deps;
  return namedPlugin('findigi', async (app: FastifyInstance) => {
    installProviderHttp(app, {
      provider: 'findigi',
      basePath: ctx.options.basePaths.findigi,
      faults: ctx.faults,
      notFound: (request, reply) => findigiError(reply, 'NOT_FOUND', `Route ${request.method} ${request.url.split('?')[0] ?? ''} not found.`),
      internalError: (_request, reply) => findigiError(reply, 'INTERNAL_ERROR', 'Something went wrong. Please try again.'),
      clientErrorBody: (message) => ({ error: 'VALIDATION_ERROR', message }),
      faultBody: (kind) =>
        kind === 'rate_limited'
          ? { error: 'RATE_LIMITED', message: 'Too many requests. Please slow down.' }
          : { error: 'SERVICE_UNAVAILABLE', message: 'The service is temporarily unavailable.' },
    });
    const requireTestHeader = ctx.options.findigi.requireTestHeader;

    registerLoginRoutes(app, deps);

    await app.register(namedPlugin('findigi-fx', (fx, _options, registered) => {
      fx.addHook('preHandler', (request, reply, done) => {
        if (requireTestMode(request, reply, requireTestHeader)) done();
      });
      registerFxRoutes(fx, deps);
      registered();
    }));

    await app.register(namedPlugin('findigi-secured', (secured, _options, registered) => {
      secured.addHook('preHandler', (request, reply, done) => {
        if (requireTestMode(request, reply, requireTestHeader) && requireSession(request, reply, deps.state, deps.sessions)) done();
      });
      registerSessionRoutes(secured, deps);
      registerWalletRoutes(secured, deps);
      registerFiatRoutes(secured, deps);
      registerPayoutRoutes(secured, deps);
      registerBatchRoutes(secured, deps);
      registerApprovalRoutes(secured, deps);
      registerFinvaultRoutes(secured, deps);
      registered();
    }));
  });
}
