import { FastifyAdapter } from '@nestjs/platform-fastify';
import { fastify, type FastifyServerOptions, type RawServerDefault } from 'fastify';
import { REQUEST_ID_HEADER, requestIdOf, type RequestHeaders } from '../logging/request-context';

/** The instance type the adapter names: the same Fastify 5 API, from @nestjs/platform-fastify's copy of the types. */
type FastifyAdapterInstance = Extract<ConstructorParameters<typeof FastifyAdapter<RawServerDefault>>[0], { server: unknown }>;

/** Fastify's server options, without the request id and the logger (this function sets both). */
export type ServiceFastifyOptions = Omit<FastifyServerOptions, 'genReqId' | 'logger' | 'loggerInstance'>;

/**
 * The Fastify adapter every finmesh service starts with: Fastify's request id is the one the
 * logger uses (the caller's sane `x-request-id`, else a UUID) and is echoed in the response.
 *
 * The Fastify instance is the workspace's own `fastify` (handed to the adapter ready-made), not
 * the older copy @nestjs/platform-fastify would create: that copy reads every request body through
 * an AsyncResource-bound callback (two deprecation wrappers per request) and routes with Nest's
 * version constraint, which together cost about twice a whole bare-Fastify request in CPU. finmesh
 * uses no Nest route versioning (`@Version`), the one thing the constraint is for.
 */
export function createFastifyAdapter(options: ServiceFastifyOptions = {}): FastifyAdapter {
  const instance = fastify({
    ...options,
    genReqId: (request: { headers: RequestHeaders }) => requestIdOf(request),
  });
  instance.addHook('onRequest', (request, reply, done) => {
    void reply.header(REQUEST_ID_HEADER, request.id);
    done();
  });
  // The adapter's type names its own copy of fastify's types; the instance is the same API (Fastify 5).
  return new FastifyAdapter<RawServerDefault>(instance as unknown as FastifyAdapterInstance);
}
