import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { FaultRegistry, HttpFaultKind } from '../core/faults';
import type { ProviderId } from '../core/providers';

/**
 * What every provider plugin shares: the provider's own 404 and 500 shapes (never a framework
 * default, never a crash) and injected HTTP faults scoped to the provider and route. (Raw bodies
 * are set up once for the whole server, see raw-body.ts.)
 */
export interface ProviderHttpProfile {
  provider: ProviderId;
  basePath: string;
  faults: FaultRegistry;
  /** The provider's answer to an unknown route. */
  notFound(request: FastifyRequest, reply: FastifyReply): FastifyReply;
  /** The provider's answer to an unexpected failure. */
  internalError(request: FastifyRequest, reply: FastifyReply): FastifyReply;
  /** The provider's body for a request the framework refused (too large, unreadable). */
  clientErrorBody(message: string): unknown;
  /** The provider's body for an injected 5xx or 429. */
  faultBody(kind: 'server_error' | 'rate_limited', status: number): unknown;
  /** The operation a request performs, for faults scoped by operation (an Indodax TAPI method). */
  operation?(request: FastifyRequest): string | undefined;
}

const DEFAULT_TIMEOUT_HOLD_MS = 30_000;

export function installProviderHttp(app: FastifyInstance, profile: ProviderHttpProfile): void {
  app.setNotFoundHandler((request, reply) => profile.notFound(request, reply));
  app.setErrorHandler((error, request, reply) => {
    const status = (error as { statusCode?: unknown }).statusCode;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      request.log.warn({ err: error, provider: profile.provider }, 'request refused before reaching the route');
      return reply.code(status).send(profile.clientErrorBody(error instanceof Error ? error.message : 'The request cannot be read.'));
    }
    request.log.error({ err: error, provider: profile.provider }, 'unexpected error in provider route');
    return profile.internalError(request, reply);
  });
  installFaultHooks(app, profile);
}

function installFaultHooks(app: FastifyInstance, profile: ProviderHttpProfile): void {
  const mutations = new WeakMap<FastifyRequest, 'truncate' | 'malformed'>();
  const heldRequests = new Set<{ timer: NodeJS.Timeout; request: FastifyRequest }>();

  app.addHook('preHandler', async (request, reply) => {
    const routePattern = request.routeOptions.url?.slice(profile.basePath.length);
    const path = request.url.split('?')[0]?.slice(profile.basePath.length);
    const scope = {
      provider: profile.provider,
      routePattern,
      path,
      httpMethod: request.method,
      operation: profile.operation?.(request),
    };
    const fired = profile.faults.fire<HttpFaultKind>(scope, [
      'latency',
      'error',
      'rate_limit',
      'timeout',
      'truncate',
      'malformed',
    ]);
    for (const rule of fired) {
      switch (rule.kind) {
        case 'latency':
          await delay(rule.latencyMs ?? 1_000);
          break;
        case 'timeout': {
          // Never answered: the connection is dropped after the hold, as a hung upstream would.
          reply.hijack();
          const held = {
            request,
            timer: setTimeout(() => {
              heldRequests.delete(held);
              request.raw.destroy();
            }, rule.latencyMs ?? DEFAULT_TIMEOUT_HOLD_MS),
          };
          heldRequests.add(held);
          return reply;
        }
        case 'error': {
          const status = rule.status ?? 503;
          return reply.code(status).send(profile.faultBody('server_error', status));
        }
        case 'rate_limit': {
          const status = rule.status ?? 429;
          return reply
            .code(status)
            .header('retry-after', String(rule.retryAfterSeconds ?? 1))
            .send(profile.faultBody('rate_limited', status));
        }
        case 'truncate':
        case 'malformed':
          mutations.set(request, rule.kind);
          break;
      }
    }
    return undefined;
  });

  app.addHook('onSend', (request, _reply, payload, done) => {
    const mutation = mutations.get(request);
    if (mutation === undefined || typeof payload !== 'string') {
      done(null, payload);
      return;
    }
    // truncate: the body stops half-way; malformed: complete length, but the JSON does not close.
    done(null, mutation === 'truncate' ? payload.slice(0, Math.floor(payload.length / 2)) : `${payload.slice(0, -1)},]`);
  });

  app.addHook('onClose', (_instance, done) => {
    for (const held of heldRequests) {
      clearTimeout(held.timer);
      held.request.raw.destroy();
    }
    heldRequests.clear();
    done();
  });
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
