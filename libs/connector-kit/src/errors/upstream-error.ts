/**
 * The one list of ways a provider call can fail. Every connector's client wraps its failures into
 * an UpstreamError of one of these kinds, and everything downstream (retries, the circuit
 * breaker, the sync engine, the payments API, the Kafka consumer) decides from the kind alone.
 */
export const UPSTREAM_ERROR_KINDS = [
  /** 429 or the provider's own "too many requests": wait (Retry-After when given) and retry. */
  'rate_limited',
  /** No connection or no answer in time. The request may or may not have been processed. */
  'timeout',
  /** 5xx, a dropped connection, or a body that is cut off or not the documented format. */
  'server_error',
  /** The provider (or the open circuit) says: not now, try again later. */
  'retry_later',
  /** The provider refused the request as such (validation, conflict, insufficient funds). */
  'invalid_request',
  /** Credentials or signature refused: retrying with the same ones cannot help. */
  'unauthorized',
  /** The resource does not exist at the provider. */
  'not_found',
] as const;

export type UpstreamErrorKind = (typeof UPSTREAM_ERROR_KINDS)[number];

/** What the kit does with a failure of a kind. */
export interface UpstreamFailurePolicy {
  /** Worth another attempt after a delay. */
  retryable: boolean;
  /** Counts towards opening the circuit: a sign the provider itself is unwell. */
  tripsCircuit: boolean;
  /** Safe to retry even a request that is not idempotent: the provider certainly did not process it. */
  certainlyNotProcessed: boolean;
}

/** The single decision table. The switch is exhaustive: a new kind does not compile until it is placed here. */
export function failurePolicyOf(kind: UpstreamErrorKind): UpstreamFailurePolicy {
  switch (kind) {
    case 'rate_limited':
      return { retryable: true, tripsCircuit: false, certainlyNotProcessed: true };
    case 'retry_later':
      return { retryable: true, tripsCircuit: false, certainlyNotProcessed: true };
    case 'timeout':
      return { retryable: true, tripsCircuit: true, certainlyNotProcessed: false };
    case 'server_error':
      return { retryable: true, tripsCircuit: true, certainlyNotProcessed: false };
    case 'invalid_request':
      return { retryable: false, tripsCircuit: false, certainlyNotProcessed: true };
    case 'unauthorized':
      return { retryable: false, tripsCircuit: false, certainlyNotProcessed: true };
    case 'not_found':
      return { retryable: false, tripsCircuit: false, certainlyNotProcessed: true };
  }
}

export interface UpstreamErrorDetails {
  provider: string;
  /** The logical endpoint name (`transactions.list`), never a URL with query values. */
  endpoint: string;
  httpStatus?: number;
  /** The provider's own error code, when its body carries one. */
  providerCode?: string;
  /** How long the provider asked to wait (Retry-After), in milliseconds. */
  retryAfterMs?: number;
  /** Refused locally because the circuit is open: fail fast now, retry later. */
  circuitOpen?: boolean;
  cause?: unknown;
}

/**
 * A provider call that failed, sorted into its kind. The message names the endpoint and status
 * and the provider's message, never credentials or request bodies.
 */
export class UpstreamError extends Error {
  readonly provider: string;
  readonly endpoint: string;
  readonly httpStatus: number | undefined;
  readonly providerCode: string | undefined;
  readonly retryAfterMs: number | undefined;
  readonly circuitOpen: boolean;

  constructor(
    readonly kind: UpstreamErrorKind,
    message: string,
    details: UpstreamErrorDetails,
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'UpstreamError';
    this.provider = details.provider;
    this.endpoint = details.endpoint;
    this.httpStatus = details.httpStatus;
    this.providerCode = details.providerCode;
    this.retryAfterMs = details.retryAfterMs;
    this.circuitOpen = details.circuitOpen ?? false;
  }

  get retryable(): boolean {
    return failurePolicyOf(this.kind).retryable;
  }

  /** Read by @finmesh/kafka's isTransientError: a retryable upstream failure is never dead-lettered. */
  get transient(): boolean {
    return this.retryable;
  }
}

export function isUpstreamError(error: unknown): error is UpstreamError {
  return error instanceof UpstreamError;
}
