import type { FastifyReply } from 'fastify';

/**
 * Fin X errors: `{ type, message }`. The account page documents no error bodies; this is the
 * shape of the documentation site's error reference (an error type and a human-readable message).
 */
export type FinxErrorType = 'invalid_request' | 'api_error';

export function finxError(reply: FastifyReply, status: number, message: string): FastifyReply {
  const type: FinxErrorType = status >= 500 ? 'api_error' : 'invalid_request';
  return reply.code(status).send({ type, message });
}
