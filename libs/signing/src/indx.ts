import { randomBytes } from 'node:crypto';
import { constantTimeEqual } from './constant-time';
import {
  DECIMAL_DIGITS,
  assertHeaderToken,
  assertNonEmptySecret,
  bodyBytes,
  hmacHex,
  sha256Hex,
  type RawBody,
} from './encoding';
import { readRequiredHeader, type HeaderSource } from './headers';
import type { ReplayStore } from './replay-store';
import {
  SigningInputError,
  VerificationFailureReason,
  verificationFailure,
  verified,
  type VerificationResult,
} from './verification';

/**
 * INDX Customer API request signing.
 *
 * The INDX documentation names the inputs of `X-API-SIGNATURE` (an HMAC-SHA256 of "the request
 * details" with the API secret) but not their order, so finmesh fixes one canonical string here,
 * and both the connector (signer) and the provider sandbox (verifier) use exactly this:
 *
 *     <X-API-TIMESTAMP>\n<X-API-NONCE>\n<METHOD>\n<path with query>\n<SHA-256 hex of the body>
 *
 * - X-API-TIMESTAMP: Unix time in whole seconds, decimal digits.
 * - X-API-NONCE: 16–128 characters of [A-Za-z0-9_-]; the signer sends 32 random hex digits.
 * - METHOD: the HTTP method in upper case.
 * - path with query: the request target exactly as on the request line, e.g.
 *   `/v1/accounts?limit=10` (no scheme or host; the query string is not re-ordered or re-encoded).
 * - body hash: lower-case hex SHA-256 of the exact body bytes; of zero bytes when there is no body.
 * Lines are joined with a single LF and there is no trailing LF. X-API-SIGNATURE is the
 * lower-case hex HMAC-SHA256 of that string's UTF-8 bytes, keyed with the API secret's UTF-8 bytes.
 */
export const INDX_HEADERS = {
  apiKey: 'X-API-KEY',
  signature: 'X-API-SIGNATURE',
  timestamp: 'X-API-TIMESTAMP',
  nonce: 'X-API-NONCE',
} as const;

// A type alias, not an interface, so it is assignable to header records (fetch, undici, Node).
export type IndxSignedHeaders = {
  'X-API-KEY': string;
  'X-API-SIGNATURE': string;
  'X-API-TIMESTAMP': string;
  'X-API-NONCE': string;
};

export interface IndxRequestParts {
  method: string;
  /** The request target as sent: path and query string, e.g. `/v1/transactions?from=2025-01-01`. */
  pathWithQuery: string;
  body?: RawBody;
}

export interface IndxCanonicalParts extends IndxRequestParts {
  timestamp: string;
  nonce: string;
}

export interface IndxCredentials {
  apiKey: string;
  apiSecret: string;
}

export interface IndxSignOptions {
  /** The signing time; defaults to now. */
  now?: Date;
  /** The nonce to send; defaults to 128 random bits in hex. */
  nonce?: string;
}

export interface IndxVerifierOptions {
  /** The API secret of a key, or undefined when the key is unknown. */
  secretForKey: (apiKey: string) => string | undefined | Promise<string | undefined>;
  replayStore: ReplayStore;
  /** How old a request's timestamp may be. Default 300 s. */
  maxAgeSeconds?: number;
  /** How far ahead of the verifier's clock a request's timestamp may be. Default 60 s. */
  maxFutureSkewSeconds?: number;
  now?: () => Date;
}

export interface IndxIncomingRequest extends IndxRequestParts {
  headers: HeaderSource;
}

export interface VerifiedIndxRequest {
  apiKey: string;
  /** Unix seconds from X-API-TIMESTAMP. */
  timestamp: number;
  nonce: string;
}

export const INDX_DEFAULT_MAX_AGE_SECONDS = 300;
export const INDX_DEFAULT_MAX_FUTURE_SKEW_SECONDS = 60;

const NONCE_FORMAT = /^[A-Za-z0-9_-]{16,128}$/;
const METHOD_FORMAT = /^[A-Za-z]+$/;
const PATH_WITH_QUERY_FORMAT = /^\/[\x21-\x7e]*$/;
const SIGNATURE_FORMAT = /^[0-9a-f]{64}$/;
// Twelve digits reach the year 33658: enough for seconds, and it keeps the number exact.
const MAX_TIMESTAMP_DIGITS = 12;

/** The string INDX signatures are computed over (see the module comment). */
export function indxCanonicalString(parts: IndxCanonicalParts): string {
  return [
    parts.timestamp,
    parts.nonce,
    parts.method.toUpperCase(),
    parts.pathWithQuery,
    sha256Hex(bodyBytes(parts.body)),
  ].join('\n');
}

/** The X-API-SIGNATURE value for the canonical parts. */
export function indxSignature(apiSecret: string, parts: IndxCanonicalParts): string {
  return hmacHex('sha256', apiSecret, Buffer.from(indxCanonicalString(parts), 'utf8'));
}

/** The four INDX authentication headers for one request. */
export function signIndxRequest(
  request: IndxRequestParts,
  credentials: IndxCredentials,
  options: IndxSignOptions = {},
): IndxSignedHeaders {
  assertHeaderToken(credentials.apiKey, 'the INDX API key');
  assertNonEmptySecret(credentials.apiSecret, 'the INDX API secret');
  if (!METHOD_FORMAT.test(request.method)) throw new SigningInputError('the HTTP method must be letters only');
  if (!PATH_WITH_QUERY_FORMAT.test(request.pathWithQuery)) {
    throw new SigningInputError('the INDX path must start with / and contain no spaces or control characters');
  }
  const nonce = options.nonce ?? randomBytes(16).toString('hex');
  if (!NONCE_FORMAT.test(nonce)) throw new SigningInputError('the INDX nonce must be 16-128 characters of [A-Za-z0-9_-]');
  const timestamp = String(Math.floor((options.now ?? new Date()).getTime() / 1000));
  return {
    'X-API-KEY': credentials.apiKey,
    'X-API-SIGNATURE': indxSignature(credentials.apiSecret, { ...request, timestamp, nonce }),
    'X-API-TIMESTAMP': timestamp,
    'X-API-NONCE': nonce,
  };
}

/**
 * Verifies an INDX-signed request (the provider sandbox's side). Checks, in order: the four
 * headers are present and well-formed, the key is known, the signature matches, the timestamp
 * lies within [now - maxAge, now + maxFutureSkew], and the nonce has not been used with this key
 * while its timestamp could still pass. A nonce is recorded only for an authentic request, so
 * forged requests cannot use up nonces.
 */
export async function verifyIndxRequest(
  request: IndxIncomingRequest,
  options: IndxVerifierOptions,
): Promise<VerificationResult<VerifiedIndxRequest>> {
  const apiKey = readRequiredHeader(request.headers, INDX_HEADERS.apiKey);
  if (!apiKey.ok) return apiKey;
  const signature = readRequiredHeader(request.headers, INDX_HEADERS.signature);
  if (!signature.ok) return signature;
  const timestampHeader = readRequiredHeader(request.headers, INDX_HEADERS.timestamp);
  if (!timestampHeader.ok) return timestampHeader;
  const nonce = readRequiredHeader(request.headers, INDX_HEADERS.nonce);
  if (!nonce.ok) return nonce;

  if (!DECIMAL_DIGITS.test(timestampHeader.value) || timestampHeader.value.length > MAX_TIMESTAMP_DIGITS) {
    return verificationFailure(
      VerificationFailureReason.MalformedHeader,
      `header ${INDX_HEADERS.timestamp} must be Unix seconds in decimal digits`,
    );
  }
  if (!NONCE_FORMAT.test(nonce.value)) {
    return verificationFailure(
      VerificationFailureReason.MalformedHeader,
      `header ${INDX_HEADERS.nonce} must be 16-128 characters of [A-Za-z0-9_-]`,
    );
  }

  const secret = await options.secretForKey(apiKey.value);
  if (secret === undefined || secret.length === 0) {
    return verificationFailure(VerificationFailureReason.UnknownKey, `header ${INDX_HEADERS.apiKey} names no known key`);
  }

  const expected = indxSignature(secret, {
    method: request.method,
    pathWithQuery: request.pathWithQuery,
    body: request.body,
    timestamp: timestampHeader.value,
    nonce: nonce.value,
  });
  const provided = signature.value.toLowerCase();
  if (!SIGNATURE_FORMAT.test(provided) || !constantTimeEqual(expected, provided)) {
    return verificationFailure(VerificationFailureReason.BadSignature, `header ${INDX_HEADERS.signature} does not match the request`);
  }

  const timestamp = Number(timestampHeader.value);
  const nowSeconds = Math.floor((options.now?.() ?? new Date()).getTime() / 1000);
  const maxAge = options.maxAgeSeconds ?? INDX_DEFAULT_MAX_AGE_SECONDS;
  const maxFutureSkew = options.maxFutureSkewSeconds ?? INDX_DEFAULT_MAX_FUTURE_SKEW_SECONDS;
  if (nowSeconds - timestamp > maxAge) {
    return verificationFailure(VerificationFailureReason.StaleTimestamp, `header ${INDX_HEADERS.timestamp} is older than ${maxAge} s`);
  }
  if (timestamp - nowSeconds > maxFutureSkew) {
    return verificationFailure(
      VerificationFailureReason.FutureTimestamp,
      `header ${INDX_HEADERS.timestamp} is more than ${maxFutureSkew} s ahead`,
    );
  }

  // Kept one second past the last moment the timestamp check above would still let it through.
  const expiresAt = new Date((timestamp + maxAge + 1) * 1000);
  const check = await options.replayStore.seen(`indx:${apiKey.value}`, nonce.value, expiresAt);
  if (check === 'replay') {
    return verificationFailure(VerificationFailureReason.ReplayedNonce, `header ${INDX_HEADERS.nonce} was already used`);
  }
  return verified({ apiKey: apiKey.value, timestamp, nonce: nonce.value });
}
