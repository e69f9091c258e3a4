import { failurePolicyOf, type UpstreamError, type UpstreamErrorKind } from '../errors/upstream-error';

/** Every error the connector's own HTTP API answers with. */
export const CONNECTOR_API_ERROR_CODES = [
  'invalid_request',
  'idempotency_key_required',
  'idempotency_conflict',
  'not_found',
  'provider_refused',
  'provider_not_found',
  'provider_auth_failed',
  'provider_unavailable',
  'provider_timeout',
  'capability_not_declared',
  'internal',
] as const;

export type ConnectorApiErrorCode = (typeof CONNECTOR_API_ERROR_CODES)[number];

/** The HTTP status of each code; exhaustive, so a new code does not compile until it has one. */
export function httpStatusOf(code: ConnectorApiErrorCode): number {
  switch (code) {
    case 'invalid_request':
    case 'idempotency_key_required':
      return 400;
    case 'not_found':
    case 'capability_not_declared':
      return 404;
    case 'idempotency_conflict':
      return 409;
    case 'provider_refused':
    case 'provider_not_found':
      return 422;
    case 'provider_auth_failed':
      return 502;
    case 'provider_unavailable':
      return 503;
    case 'provider_timeout':
      return 504;
    case 'internal':
      return 500;
  }
}

/** How a provider failure is reported to the caller of the connector's API. */
export function apiCodeOfUpstream(kind: UpstreamErrorKind): ConnectorApiErrorCode {
  switch (kind) {
    case 'invalid_request':
      return 'provider_refused';
    case 'not_found':
      return 'provider_not_found';
    // Our credentials were refused: the caller cannot fix that, the operator must.
    case 'unauthorized':
      return 'provider_auth_failed';
    case 'rate_limited':
    case 'retry_later':
    case 'server_error':
      return 'provider_unavailable';
    case 'timeout':
      return 'provider_timeout';
  }
}

export interface ApiErrorBody {
  error: { code: ConnectorApiErrorCode; message: string; details?: unknown };
}

export class ConnectorApiError extends Error {
  readonly status: number;

  constructor(
    readonly code: ConnectorApiErrorCode,
    message: string,
    readonly details?: unknown,
    /** Seconds for a Retry-After header (provider unavailable). */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'ConnectorApiError';
    this.status = httpStatusOf(code);
  }

  static fromUpstream(error: UpstreamError): ConnectorApiError {
    const code = apiCodeOfUpstream(error.kind);
    const retryAfterSeconds = failurePolicyOf(error.kind).retryable ? Math.max(1, Math.ceil((error.retryAfterMs ?? 1_000) / 1000)) : undefined;
    return new ConnectorApiError(code, error.message, { providerCode: error.providerCode, providerStatus: error.httpStatus }, retryAfterSeconds);
  }

  body(): ApiErrorBody {
    return { error: { code: this.code, message: this.message, ...(this.details === undefined ? {} : { details: this.details }) } };
  }
}
