import type { FastifyReply } from 'fastify';

/** Admin API errors: `{ error, message }`. */
export type AdminErrorCode = 'unauthorized' | 'bad_request' | 'not_found' | 'conflict';

const STATUS: Record<AdminErrorCode, number> = { unauthorized: 401, bad_request: 400, not_found: 404, conflict: 409 };

export function adminError(reply: FastifyReply, error: AdminErrorCode, message: string): FastifyReply {
  return reply.code(STATUS[error]).send({ error, message });
}
