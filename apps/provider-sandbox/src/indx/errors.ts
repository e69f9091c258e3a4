import type { FastifyReply } from 'fastify';

/** INDX errors: `{ "error": { "code", "message" } }` with the HTTP status of the code. */
export type IndxErrorCode =
  | 'missing_auth_header'
  | 'malformed_auth_header'
  | 'invalid_api_key'
  | 'invalid_signature'
  | 'stale_timestamp'
  | 'future_timestamp'
  | 'replayed_nonce'
  | 'validation_error'
  | 'not_found'
  | 'idempotency_conflict'
  | 'insufficient_funds'
  | 'rate_limited'
  | 'internal_error'
  | 'service_unavailable';

const STATUS: Readonly<Record<IndxErrorCode, number>> = {
  missing_auth_header: 401,
  malformed_auth_header: 401,
  invalid_api_key: 401,
  invalid_signature: 401,
  stale_timestamp: 401,
  future_timestamp: 401,
  replayed_nonce: 401,
  validation_error: 400,
  not_found: 404,
  idempotency_conflict: 409,
  insufficient_funds: 422,
  rate_limited: 429,
  internal_error: 500,
  service_unavailable: 503,
};

export function indxErrorBody(code: IndxErrorCode, message: string): { error: { code: IndxErrorCode; message: string } } {
  return { error: { code, message } };
}

export function indxError(reply: FastifyReply, code: IndxErrorCode, message: string): FastifyReply {
  return reply.code(STATUS[code]).send(indxErrorBody(code, message));
}
