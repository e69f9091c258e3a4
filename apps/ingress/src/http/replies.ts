import type { FastifyReply } from 'fastify';
import { httpStatusOf, type ErrorBody, type IngressError } from './ingress-error';

/** Every refusal looks the same: `{ error, message, requestId }`, plus Retry-After where it applies. */
export function sendError(reply: FastifyReply, error: IngressError, requestId: string): void {
  const body: ErrorBody = { error: error.code, message: error.message, requestId };
  if (error.retryAfterSeconds !== undefined) void reply.header('retry-after', String(error.retryAfterSeconds));
  void reply.code(httpStatusOf(error.code)).type('application/json; charset=utf-8').send(JSON.stringify(body));
}
