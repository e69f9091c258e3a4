import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import { verifyBearerToken } from '@finmesh/signing';
import { z } from 'zod';
import type { CallbackReplayer, ReplayRequest } from './callback-replayer';

export interface AdminServerOptions {
  host: string;
  port: number;
  token: string;
  log?: (message: string, extra?: Record<string, unknown>) => void;
}

const MAX_REPLAY = 10_000;

const replayBodySchema = z
  .strictObject({
    ids: z.array(z.uuid()).min(1).max(1_000).optional(),
    from: z.iso.datetime({ offset: true }).optional(),
    to: z.iso.datetime({ offset: true }).optional(),
    source: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/).optional(),
    includePending: z.boolean().default(false),
    limit: z.number().int().min(1).max(MAX_REPLAY).default(1_000),
  })
  .refine((body) => (body.ids !== undefined) !== (body.from !== undefined && body.to !== undefined), {
    message: 'give either ids, or from and to',
  })
  .refine((body) => body.ids === undefined || (body.from === undefined && body.to === undefined && body.source === undefined), {
    message: 'ids cannot be combined with from, to or source',
  });

function replayRequestOf(body: z.output<typeof replayBodySchema>): ReplayRequest {
  const selection: ReplayRequest['selection'] =
    body.ids !== undefined
      ? { kind: 'ids', ids: body.ids }
      : { kind: 'range', from: new Date(body.from ?? 0), to: new Date(body.to ?? 0), source: body.source };
  return { selection, includePending: body.includePending, limit: body.limit };
}

function refuse(reply: FastifyReply, status: number, error: string, message: string): FastifyReply {
  return reply.code(status).type('application/json; charset=utf-8').send(JSON.stringify({ error, message }));
}

/**
 * The operators' door, on its own port (bound to 127.0.0.1 by default, never behind the public
 * load balancer) and behind a bearer token compared in constant time:
 * - `POST /admin/callbacks/replay` — republish stored callbacks by ids or by time range;
 * - `GET /admin/callbacks/:id` — a stored callback, its status and publish attempts.
 */
export class AdminServer {
  private readonly server: FastifyInstance;

  constructor(
    private readonly replayer: CallbackReplayer,
    private readonly options: AdminServerOptions,
  ) {
    this.server = Fastify({ logger: false, bodyLimit: 256 * 1024 });
    this.server.addHook('onRequest', async (request, reply) => {
      if (!verifyBearerToken(request.headers, [options.token]).ok) {
        await refuse(reply, 401, 'unauthorized', 'send Authorization: Bearer <INGRESS_ADMIN_TOKEN>');
      }
    });
    this.server.post('/admin/callbacks/replay', async (request, reply) => {
      const parsed = replayBodySchema.safeParse(request.body);
      if (!parsed.success) {
        const issues = parsed.error.issues.map((issue) => `${issue.path.join('.') || 'body'}: ${issue.message}`).join('; ');
        return refuse(reply, 400, 'malformed_request', issues);
      }
      const result = await this.replayer.replay(replayRequestOf(parsed.data));
      this.options.log?.('callbacks replayed', { replayed: result.replayed, truncated: result.truncated });
      return reply.code(200).send(result);
    });
    this.server.get<{ Params: { id: string } }>('/admin/callbacks/:id', async (request, reply) => {
      if (!z.uuid().safeParse(request.params.id).success) return refuse(reply, 400, 'malformed_request', 'the id is not a UUID');
      const callback = await this.replayer.find(request.params.id);
      if (callback === null) return refuse(reply, 404, 'not_found', 'no stored callback has this id');
      const { body, ...rest } = callback;
      return reply.code(200).send({ ...rest, bodyBase64: body.toString('base64') });
    });
  }

  async start(): Promise<string> {
    return this.server.listen({ host: this.options.host, port: this.options.port });
  }

  inject(...args: Parameters<FastifyInstance['inject']>): ReturnType<FastifyInstance['inject']> {
    return this.server.inject(...args);
  }

  async close(): Promise<void> {
    await this.server.close();
  }
}
