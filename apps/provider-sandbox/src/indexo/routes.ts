import { namedPlugin } from '../http/named-plugin';
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import { installProviderHttp } from '../http/provider-http';
import { registerAccountRoutes } from './account-routes';
import { registerConsentRoutes } from './consent-routes';
import { rememberCaller, type IndexoDeps } from './deps';
import { tppBody, tppError } from './errors';
import { checkIndexoCaller } from './headers';
import { registerPaymentRoutes } from './payment-routes';

export const INDEXO_API_ROOT = '/external/openbanking/api';

/** INDEXO Open Banking under its base path: `/external/openbanking/api/v1/...`. */
export function indexoRoutes(deps: IndexoDeps): FastifyPluginAsync {
  const { ctx } = deps;
  return namedPlugin('indexo', async (app: FastifyInstance) => {
    installProviderHttp(app, {
      provider: 'indexo',
      basePath: ctx.options.basePaths.indexo,
      faults: ctx.faults,
      notFound: (_request, reply) => tppError(reply, 404, 'RESOURCE_UNKNOWN', 'The addressed resource is unknown.'),
      internalError: (_request, reply) => tppError(reply, 500, 'INTERNAL_SERVER_ERROR', 'An internal error occurred.'),
      clientErrorBody: (message) => tppBody('FORMAT_ERROR', message),
      faultBody: (kind) =>
        kind === 'rate_limited'
          ? tppBody('ACCESS_EXCEEDED', 'Too many requests.')
          : tppBody('SERVICE_UNAVAILABLE', 'The service is temporarily unavailable.'),
    });
    await app.register(
      namedPlugin('indexo-api', (api, _options, registered) => {
        api.addHook('preHandler', (request, reply, done) => {
          const caller = checkIndexoCaller(ctx, deps.state, request, reply);
          if (!caller) return;
          rememberCaller(request, caller);
          done();
        });
        registerConsentRoutes(api, deps);
        registerAccountRoutes(api, deps);
        registerPaymentRoutes(api, deps);
        registered();
      }),
      { prefix: INDEXO_API_ROOT },
    );
  });
}
