import { FastifyAdapter } from '@nestjs/platform-fastify';
import { REQUEST_ID_HEADER, requestIdOf, type RequestHeaders } from '../logging/request-context';

// The adapter's own option type: @nestjs/platform-fastify carries its own copy of fastify's types.
type FastifyAdapterOptions = Exclude<ConstructorParameters<typeof FastifyAdapter>[0], undefined>;
type WithoutIdAndLogger<Options> = Options extends unknown ? Omit<Options, 'genReqId' | 'logger'> : never;

/**
 * The Fastify adapter every finmesh service starts with: Fastify's request id is the one the
 * logger uses (the caller's sane `x-request-id`, else a UUID) and is echoed in the response.
 */
export function createFastifyAdapter(options: WithoutIdAndLogger<FastifyAdapterOptions> = {}): FastifyAdapter {
  const adapter = new FastifyAdapter({
    ...options,
    genReqId: (request: { headers: RequestHeaders }) => requestIdOf(request),
  } as FastifyAdapterOptions) as FastifyAdapter;
  adapter.getInstance().addHook('onRequest', (request, reply, done) => {
    void reply.header(REQUEST_ID_HEADER, request.id);
    done();
  });
  return adapter;
}
