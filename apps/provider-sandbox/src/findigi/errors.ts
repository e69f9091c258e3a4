import type { FastifyReply } from 'fastify';

/**
 * FinDIGI errors: `{ "error": "<CODE>", "message": "..." }`, the documented sample error shape
 * (`VALIDATION_ERROR`, "Required input is missing or invalid."); the other codes follow it.
 */
export type FindigiErrorCode =
  | 'VALIDATION_ERROR'
  | 'TEST_MODE_REQUIRED'
  | 'UNAUTHORIZED'
  | 'INVALID_CREDENTIALS'
  | 'INVALID_2FA_CODE'
  | 'TWO_FACTOR_CHALLENGE_EXPIRED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'IDEMPOTENCY_KEY_REUSED'
  | 'INSUFFICIENT_FUNDS'
  | 'UNSUPPORTED_CORRIDOR'
  | 'RATE_LIMITED'
  | 'INTERNAL_ERROR'
  | 'SERVICE_UNAVAILABLE';

const STATUS: Readonly<Record<FindigiErrorCode, number>> = {
  VALIDATION_ERROR: 400,
  TEST_MODE_REQUIRED: 400,
  UNAUTHORIZED: 401,
  INVALID_CREDENTIALS: 401,
  INVALID_2FA_CODE: 401,
  TWO_FACTOR_CHALLENGE_EXPIRED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  IDEMPOTENCY_KEY_REUSED: 409,
  INSUFFICIENT_FUNDS: 422,
  UNSUPPORTED_CORRIDOR: 422,
  RATE_LIMITED: 429,
  INTERNAL_ERROR: 500,
  SERVICE_UNAVAILABLE: 503,
};

export const REQUIRED_INPUT_MESSAGE = 'Required input is missing or invalid.';

export function findigiError(reply: FastifyReply, error: FindigiErrorCode, message: string): FastifyReply {
  return reply.code(STATUS[error]).send({ error, message });
}
