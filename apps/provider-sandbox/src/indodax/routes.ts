import { namedPlugin } from '../http/named-plugin';
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import { InMemoryIndodaxNonceTracker } from '@finmesh/signing';
import { installProviderHttp } from '../http/provider-http';
import { bodyText } from '../http/raw-body';
import { authenticateTapi } from './auth';
import { TapiError, type TapiErrorBody } from './errors';
import { accountMethods } from './methods/account';
import { tradingMethods } from './methods/trading';
import { withdrawMethods } from './methods/withdraw';
import { METHOD_PERMISSIONS, type TapiDeps, type TapiHandler } from './tapi';

/**
 * Indodax TAPI under its base path: `POST /tapi` with a form body naming the `method`. Errors use
 * the documented envelope with HTTP 200, except the documented 429s.
 */
export function indodaxRoutes(deps: TapiDeps): FastifyPluginAsync {
  const { ctx } = deps;
  const nonceTracker = new InMemoryIndodaxNonceTracker();
  const handlers: Record<string, TapiHandler> = { ...accountMethods(deps), ...tradingMethods(deps), ...withdrawMethods(deps) };

  return namedPlugin('indodax', (app: FastifyInstance) => {
    installProviderHttp(app, {
      provider: 'indodax',
      basePath: ctx.options.basePaths.indodax,
      faults: ctx.faults,
      notFound: (_request, reply) => reply.code(404).send(envelope('Not found. The private API is POST /tapi.', 'not_found')),
      internalError: (_request, reply) => reply.code(500).send(envelope('Internal server error.', 'internal_error')),
      clientErrorBody: (message) => envelope(message, 'invalid_request'),
      faultBody: (kind) => (kind === 'rate_limited' ? envelope('Too many requests.', 'too_many_requests') : envelope('Service unavailable.', 'service_unavailable')),
      operation: (request) => new URLSearchParams(bodyText(request)).get('method') ?? undefined,
    });

    app.post('/tapi', async (request, reply) => {
      let status = 200;
      let body: unknown;
      try {
        const { key, method, params } = await authenticateTapi(request, ctx.options.indodax.keys, nonceTracker, ctx.options.wallClock);
        const handler = handlers[method];
        const permission = METHOD_PERMISSIONS[method];
        if (!handler || !permission) throw TapiError.of(`Invalid method: ${method}.`, 'invalid_method');
        if (!key.permissions.includes(permission)) throw TapiError.of('No permission', 'no_permission');
        body = await handler({ method, key, params, ip: request.ip });
      } catch (error: unknown) {
        if (!(error instanceof TapiError)) throw error;
        status = error.status;
        body = error.body;
      }
      return reply.code(status).send(body);
    });

    app.get('/tapi', (_request, reply) => reply.send(envelope('All requests must be sent with POST.', 'invalid_request')));
    return Promise.resolve();
  });
}

function envelope(error: string, errorCode: string): TapiErrorBody {
  return { success: 0, error, error_code: errorCode };
}
