import type { FastifyReply, FastifyRequest } from 'fastify';
import type { IdempotencyStore, StoredResponse } from '../core/idempotency';
import { rawBody } from './raw-body';

export const IDEMPOTENCY_HEADER = 'idempotency-key';

/**
 * Runs `create` once per `Idempotency-Key`: a repeat with the same body gets the first success
 * again (marked `idempotent-replayed: true`), a repeat with another body gets `onConflict`.
 * Failures are not remembered, so a corrected request may reuse its key.
 */
export function idempotent(
  store: IdempotencyStore,
  request: FastifyRequest,
  reply: FastifyReply,
  scope: string,
  onConflict: () => FastifyReply,
  create: () => StoredResponse | FastifyReply,
): FastifyReply {
  const key = request.headers[IDEMPOTENCY_HEADER];
  if (typeof key !== 'string' || key === '') return send(reply, create());
  const body = rawBody(request);
  const lookup = store.lookup(scope, key, body);
  switch (lookup.kind) {
    case 'replay':
      return reply.header('idempotent-replayed', 'true').code(lookup.response.status).send(lookup.response.body);
    case 'conflict':
      return onConflict();
    case 'new': {
      const outcome = create();
      if (!isReply(outcome)) store.remember(scope, key, body, outcome);
      return send(reply, outcome);
    }
  }
}

function send(reply: FastifyReply, outcome: StoredResponse | FastifyReply): FastifyReply {
  return isReply(outcome) ? outcome : reply.code(outcome.status).send(outcome.body);
}

function isReply(outcome: StoredResponse | FastifyReply): outcome is FastifyReply {
  return typeof (outcome as Partial<FastifyReply>).sent === 'boolean';
}
