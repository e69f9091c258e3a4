import { VerificationFailureReason } from '@finmesh/signing';

/** Every way the ingress refuses or fails a request; the HTTP status comes from one switch. */
export enum IngressErrorCode {
  /** No route, or a source that is not configured. */
  NotFound = 'not_found',
  UnsupportedMediaType = 'unsupported_media_type',
  PayloadTooLarge = 'payload_too_large',
  /** A required header or field is missing or malformed; the body does not parse as its type. */
  MalformedRequest = 'malformed_request',
  /** Signature, token or timestamp check failed. */
  VerificationFailed = 'verification_failed',
  /** Indodax asked about a withdrawal finmesh did not request (not known after the wait). */
  WithdrawalNotRequested = 'withdrawal_not_requested',
  /** Indodax asked about a withdrawal finmesh requested, but a field differs. */
  WithdrawalMismatch = 'withdrawal_mismatch',
  RateLimited = 'rate_limited',
  /** Kafka or PostgreSQL could not take the callback: nothing was acknowledged, retry later. */
  Unavailable = 'unavailable',
  /** Admin endpoint without the right token. */
  Unauthorized = 'unauthorized',
  InternalError = 'internal_error',
}

export interface IngressErrorOptions {
  /** Seconds for the Retry-After header (rate limits, unavailability). */
  retryAfterSeconds?: number;
  /** The metric label of a verification failure, when it is more precise than the code. */
  reason?: string;
  cause?: unknown;
}

/** A refusal with a code, a message safe to send to the caller (no secrets, no values), and maybe Retry-After. */
export class IngressError extends Error {
  readonly retryAfterSeconds: number | undefined;
  readonly reason: string;

  constructor(
    readonly code: IngressErrorCode,
    message: string,
    options: IngressErrorOptions = {},
  ) {
    super(message, { cause: options.cause });
    this.name = 'IngressError';
    this.retryAfterSeconds = options.retryAfterSeconds;
    this.reason = options.reason ?? code;
  }
}

export function httpStatusOf(code: IngressErrorCode): number {
  switch (code) {
    case IngressErrorCode.NotFound:
      return 404;
    case IngressErrorCode.UnsupportedMediaType:
      return 415;
    case IngressErrorCode.PayloadTooLarge:
      return 413;
    case IngressErrorCode.MalformedRequest:
      return 400;
    case IngressErrorCode.VerificationFailed:
    case IngressErrorCode.Unauthorized:
      return 401;
    case IngressErrorCode.WithdrawalNotRequested:
    case IngressErrorCode.WithdrawalMismatch:
      return 403;
    case IngressErrorCode.RateLimited:
      return 429;
    case IngressErrorCode.Unavailable:
      return 503;
    case IngressErrorCode.InternalError:
      return 500;
  }
}

/** How a verifier's failure is answered: the request's shape (400) or its authenticity (401). */
export function errorCodeOfVerificationFailure(reason: VerificationFailureReason): IngressErrorCode {
  switch (reason) {
    case VerificationFailureReason.MissingHeader:
    case VerificationFailureReason.MalformedHeader:
    case VerificationFailureReason.MalformedBody:
      return IngressErrorCode.MalformedRequest;
    case VerificationFailureReason.UnknownKey:
    case VerificationFailureReason.BadSignature:
    case VerificationFailureReason.UnsupportedSignatureVersion:
    case VerificationFailureReason.StaleTimestamp:
    case VerificationFailureReason.FutureTimestamp:
    case VerificationFailureReason.ReplayedNonce:
    case VerificationFailureReason.NonceNotIncreasing:
    case VerificationFailureReason.InvalidToken:
    case VerificationFailureReason.InvalidCertificate:
      return IngressErrorCode.VerificationFailed;
  }
}

/** The JSON body of every error answer. */
export interface ErrorBody {
  error: IngressErrorCode;
  message: string;
  requestId: string;
}
