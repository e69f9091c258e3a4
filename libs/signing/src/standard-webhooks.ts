import { createHmac, randomBytes } from 'node:crypto';
import { constantTimeEqual } from './constant-time';
import { DECIMAL_DIGITS, bodyBytes, isStrictBase64, type RawBody } from './encoding';
import { readRequiredHeader, type HeaderSource } from './headers';
import {
  SigningInputError,
  VerificationFailureReason,
  verificationFailure,
  verified,
  type VerificationResult,
} from './verification';

/**
 * Standard Webhooks (standardwebhooks.com), symmetric scheme: `webhook-signature` is a
 * space-separated list of `v1,<base64 HMAC-SHA256 of "<webhook-id>.<webhook-timestamp>.<body>">`,
 * keyed with the base64-decoded bytes of a `whsec_<base64>` secret. Several signatures (one per
 * secret) let a sender rotate its secret without downtime; a receiver accepts a webhook when any
 * `v1` signature matches any of its secrets, and ignores other versions (e.g. `v1a`).
 */
export const STANDARD_WEBHOOK_HEADERS = {
  id: 'webhook-id',
  timestamp: 'webhook-timestamp',
  signature: 'webhook-signature',
} as const;

export const STANDARD_WEBHOOK_SECRET_PREFIX = 'whsec_';
export const STANDARD_WEBHOOK_DEFAULT_TOLERANCE_SECONDS = 300;
const SIGNATURE_VERSION = 'v1';
const MAX_TIMESTAMP_DIGITS = 12;

// A type alias, not an interface, so it is assignable to header records (fetch, undici, Node).
export type StandardWebhookHeaders = {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
};

export interface StandardWebhookMessage {
  id: string;
  timestamp: Date;
  body: RawBody;
}

export interface StandardWebhookVerifierOptions {
  /** Accepted secrets (`whsec_<base64>`, or the bare base64): the current and, during a rotation, the previous. */
  secrets: readonly string[];
  /** Accepted distance of `webhook-timestamp` from now, in both directions. Default 300 s. */
  toleranceSeconds?: number;
  now?: () => Date;
}

export interface StandardWebhookIncoming {
  headers: HeaderSource;
  /** The raw body bytes as received; a re-serialised JSON body will not verify. */
  body: RawBody;
}

export interface VerifiedStandardWebhook {
  /** `webhook-id`: stays the same across retries, so it is the idempotency key. */
  id: string;
  /** `webhook-timestamp` in Unix seconds. */
  timestamp: number;
}

/** The HMAC key bytes of a secret; the `whsec_` prefix is optional, as in the reference libraries. */
export function parseStandardWebhookSecret(secret: string): Buffer {
  const encoded = secret.startsWith(STANDARD_WEBHOOK_SECRET_PREFIX) ? secret.slice(STANDARD_WEBHOOK_SECRET_PREFIX.length) : secret;
  if (!isStrictBase64(encoded)) throw new SigningInputError('a Standard Webhooks secret is not whsec_ followed by base64');
  return Buffer.from(encoded, 'base64');
}

/** A new secret of 32 random bytes (the specification asks for 24 to 64). */
export function generateStandardWebhookSecret(): string {
  return `${STANDARD_WEBHOOK_SECRET_PREFIX}${randomBytes(32).toString('base64')}`;
}

/** One `v1,<base64>` signature of a message. */
export function standardWebhookSignature(secret: string, id: string, timestampSeconds: number, body: RawBody): string {
  return `${SIGNATURE_VERSION},${signatureValue(parseStandardWebhookSecret(secret), id, String(timestampSeconds), body)}`;
}

/** The three headers for a webhook, signed once with each secret (old and new during a rotation). */
export function signStandardWebhook(message: StandardWebhookMessage, secrets: readonly string[]): StandardWebhookHeaders {
  if (secrets.length === 0) throw new SigningInputError('no Standard Webhooks secret to sign with');
  // The specification forbids `.` in the id: it would make the signed content ambiguous.
  if (!/^[\x21-\x7e]+$/.test(message.id) || message.id.includes('.')) {
    throw new SigningInputError('the webhook id must be printable ASCII without spaces or "."');
  }
  const timestampSeconds = Math.floor(message.timestamp.getTime() / 1000);
  return {
    'webhook-id': message.id,
    'webhook-timestamp': String(timestampSeconds),
    'webhook-signature': secrets
      .map((secret) => standardWebhookSignature(secret, message.id, timestampSeconds, message.body))
      .join(' '),
  };
}

/**
 * Verifies a Standard Webhooks request: headers present, timestamp in seconds, some `v1`
 * signature matching some secret (every pair compared in constant time), and the timestamp
 * within the tolerance of now in both directions. Throws SigningInputError only for a
 * misconfigured secret, never for a bad request.
 */
export function verifyStandardWebhook(
  request: StandardWebhookIncoming,
  options: StandardWebhookVerifierOptions,
): VerificationResult<VerifiedStandardWebhook> {
  const result = createStandardWebhookVerifier(options)(request);
  return result.ok ? verified({ id: result.value.id, timestamp: result.value.timestamp }) : result;
}

/** A verified webhook and which of the verifier's secrets signed it. */
export interface VerifiedStandardWebhookWithKey extends VerifiedStandardWebhook {
  /** Indexes in `secrets` of every secret that matches some `v1` signature, in order (at least one). */
  matchingSecretIndexes: readonly number[];
}

/**
 * verifyStandardWebhook with the secrets decoded once, for a receiver that verifies many
 * requests with the same secrets; the answer also tells which secret matched. Throws
 * SigningInputError at once for a misconfigured secret.
 */
export function createStandardWebhookVerifier(
  options: StandardWebhookVerifierOptions,
): (request: StandardWebhookIncoming) => VerificationResult<VerifiedStandardWebhookWithKey> {
  const keys = options.secrets.map(parseStandardWebhookSecret);
  if (keys.length === 0) throw new SigningInputError('no Standard Webhooks secret to verify with');
  const tolerance = options.toleranceSeconds ?? STANDARD_WEBHOOK_DEFAULT_TOLERANCE_SECONDS;
  return (request) => verifyWithKeys(request, keys, tolerance, options.now);
}

function verifyWithKeys(
  request: StandardWebhookIncoming,
  keys: readonly Buffer[],
  tolerance: number,
  now: (() => Date) | undefined,
): VerificationResult<VerifiedStandardWebhookWithKey> {
  const id = readRequiredHeader(request.headers, STANDARD_WEBHOOK_HEADERS.id);
  if (!id.ok) return id;
  const timestampHeader = readRequiredHeader(request.headers, STANDARD_WEBHOOK_HEADERS.timestamp);
  if (!timestampHeader.ok) return timestampHeader;
  const signatureHeader = readRequiredHeader(request.headers, STANDARD_WEBHOOK_HEADERS.signature);
  if (!signatureHeader.ok) return signatureHeader;

  if (!DECIMAL_DIGITS.test(timestampHeader.value) || timestampHeader.value.length > MAX_TIMESTAMP_DIGITS) {
    return verificationFailure(
      VerificationFailureReason.MalformedHeader,
      `header ${STANDARD_WEBHOOK_HEADERS.timestamp} must be Unix seconds in decimal digits`,
    );
  }

  const providedSignatures = signatureHeader.value
    .split(' ')
    .filter((entry) => entry !== '')
    .flatMap((entry) => {
      const comma = entry.indexOf(',');
      return comma > 0 && entry.slice(0, comma) === SIGNATURE_VERSION ? [entry.slice(comma + 1)] : [];
    });
  if (providedSignatures.length === 0) {
    return verificationFailure(
      VerificationFailureReason.UnsupportedSignatureVersion,
      `header ${STANDARD_WEBHOOK_HEADERS.signature} carries no ${SIGNATURE_VERSION} signature`,
    );
  }

  const body = bodyBytes(request.body);
  const matchingSecretIndexes: number[] = [];
  for (let index = 0; index < keys.length; index += 1) {
    const expected = signatureValue(keys[index] as Buffer, id.value, timestampHeader.value, body);
    let keyMatches = false;
    // Every pair is compared, whatever matched before.
    for (const provided of providedSignatures) {
      const pairMatches = constantTimeEqual(expected, provided);
      keyMatches = keyMatches || pairMatches;
    }
    if (keyMatches) matchingSecretIndexes.push(index);
  }
  if (matchingSecretIndexes.length === 0) {
    return verificationFailure(
      VerificationFailureReason.BadSignature,
      `header ${STANDARD_WEBHOOK_HEADERS.signature} matches no accepted secret`,
    );
  }

  const timestamp = Number(timestampHeader.value);
  const nowSeconds = Math.floor((now?.() ?? new Date()).getTime() / 1000);
  if (nowSeconds - timestamp > tolerance) {
    return verificationFailure(
      VerificationFailureReason.StaleTimestamp,
      `header ${STANDARD_WEBHOOK_HEADERS.timestamp} is older than ${tolerance} s`,
    );
  }
  if (timestamp - nowSeconds > tolerance) {
    return verificationFailure(
      VerificationFailureReason.FutureTimestamp,
      `header ${STANDARD_WEBHOOK_HEADERS.timestamp} is more than ${tolerance} s ahead`,
    );
  }
  return verified({ id: id.value, timestamp, matchingSecretIndexes });
}

function signatureValue(key: Uint8Array, id: string, timestamp: string, body: RawBody): string {
  return createHmac('sha256', key).update(`${id}.${timestamp}.`, 'utf8').update(bodyBytes(body)).digest('base64');
}
