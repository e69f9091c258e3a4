/**
 * Why a request or callback failed verification. Every verifier in this library reports one of
 * these, so a caller maps them to an HTTP answer (or a log line) with one exhaustive `switch`:
 * a reason added here and not handled there does not pass lint.
 */
export enum VerificationFailureReason {
  /** A required header is absent or empty. */
  MissingHeader = 'missing_header',
  /** A header is present but not in its documented format (or sent more than once). */
  MalformedHeader = 'malformed_header',
  /** The body lacks a required parameter or cannot be parsed as its content type. */
  MalformedBody = 'malformed_body',
  /** The API key (or subscription key) names no known credential. */
  UnknownKey = 'unknown_key',
  /** The signature does not match the request (wrong, truncated or not in its encoding). */
  BadSignature = 'bad_signature',
  /** The signature header carries no signature of a version this library verifies. */
  UnsupportedSignatureVersion = 'unsupported_signature_version',
  /** The request's timestamp is older than the accepted window. */
  StaleTimestamp = 'stale_timestamp',
  /** The request's timestamp is further in the future than the accepted clock skew. */
  FutureTimestamp = 'future_timestamp',
  /** The nonce was already used within its window. */
  ReplayedNonce = 'replayed_nonce',
  /** An increasing nonce (Indodax) is not greater than the last one accepted for the key. */
  NonceNotIncreasing = 'nonce_not_increasing',
  /** A static token (callback token, bearer token) matches none of the accepted ones. */
  InvalidToken = 'invalid_token',
  /** The client certificate cannot be parsed or is outside its validity period. */
  InvalidCertificate = 'invalid_certificate',
}

export interface VerificationFailure {
  readonly ok: false;
  readonly reason: VerificationFailureReason;
  /** What was wrong, naming headers or parameters but never a secret or a signature value. */
  readonly detail: string;
}

export interface VerificationSuccess<T> {
  readonly ok: true;
  readonly value: T;
}

/** What every verifier returns; verifiers do not throw for a request that fails verification. */
export type VerificationResult<T> = VerificationSuccess<T> | VerificationFailure;

export function verified<T>(value: T): VerificationSuccess<T> {
  return { ok: true, value };
}

export function verificationFailure(reason: VerificationFailureReason, detail: string): VerificationFailure {
  return { ok: false, reason, detail };
}

/** The thrown form of a VerificationFailure, for callers that prefer exceptions. */
export class SignatureVerificationError extends Error {
  readonly reason: VerificationFailureReason;

  constructor(failure: VerificationFailure) {
    super(`${failure.reason}: ${failure.detail}`);
    this.name = 'SignatureVerificationError';
    this.reason = failure.reason;
  }
}

/** Returns the verified value or throws a SignatureVerificationError carrying the reason. */
export function assertVerified<T>(result: VerificationResult<T>): T {
  if (!result.ok) throw new SignatureVerificationError(result);
  return result.value;
}

/**
 * Thrown on the signing side for input a caller must fix (an empty secret, a path with a line
 * break). The message names the input, never its value.
 */
export class SigningInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SigningInputError';
  }
}
