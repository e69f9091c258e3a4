import { constantTimeEqual } from './constant-time';
import { DECIMAL_DIGITS, assertHeaderToken, assertNonEmptySecret, bodyBytes, hmacHex, type RawBody } from './encoding';
import { readRequiredHeader, type HeaderSource } from './headers';
import { MAX_INDODAX_NONCE, type IndodaxNonceTracker } from './indodax-nonces';
import {
  SigningInputError,
  VerificationFailureReason,
  verificationFailure,
  verified,
  type VerificationResult,
} from './verification';

/**
 * Indodax private API (TAPI) signing, as documented: every call is a POST of a form-encoded body
 * with `method` and either `nonce` or `timestamp` (+ optional `recvWindow`); header `Key` is the
 * API key and header `Sign` the hex HMAC-SHA512 of the exact body bytes, keyed with the secret
 * key's characters as they are (not hex-decoded).
 */
export const INDODAX_HEADERS = { apiKey: 'Key', signature: 'Sign' } as const;

/** recvWindow when a request does not send one (documented default). */
export const INDODAX_DEFAULT_RECV_WINDOW_MS = 5000;
/** How far ahead of the server's clock a timestamp may be: the documented `serverTime + 1000`. */
export const INDODAX_MAX_FUTURE_SKEW_MS = 1000;

export type IndodaxParamValue = string | number | bigint;
/** Parameters in the order they are to be sent; an array of pairs keeps any order exactly. */
export type IndodaxParams =
  | ReadonlyArray<readonly [string, IndodaxParamValue]>
  | Readonly<Record<string, IndodaxParamValue>>;

/** How a request proves freshness: an increasing nonce, or a timestamp with its validity window. */
export type IndodaxFreshness = { nonce: bigint } | { timestamp: number; recvWindowMs?: number };

export interface IndodaxSignedRequest {
  headers: { Key: string; Sign: string; 'Content-Type': 'application/x-www-form-urlencoded' };
  /** The form body to send, byte for byte as signed. */
  body: string;
}

export interface IndodaxCall {
  apiKey: string;
  secretKey: string;
  /** The TAPI method, e.g. `getInfo`, `transHistory`, `withdrawCoin`. */
  method: string;
  /** Further parameters, sent after `method` in the given order. */
  params?: IndodaxParams;
  freshness: IndodaxFreshness;
}

export interface IndodaxVerifierOptions {
  /** The secret key of an API key, or undefined when the key is unknown. */
  secretForKey: (apiKey: string) => string | undefined | Promise<string | undefined>;
  nonceTracker: IndodaxNonceTracker;
  now?: () => Date;
}

export interface IndodaxIncomingRequest {
  headers: HeaderSource;
  body: RawBody;
}

export interface VerifiedIndodaxRequest {
  apiKey: string;
  method: string;
  /** The body's parameters in the order sent. */
  params: Array<[string, string]>;
  nonce?: bigint;
  timestamp?: number;
}

/**
 * Form-encodes parameters in the given order (`application/x-www-form-urlencoded`, as
 * URLSearchParams writes it). A record is sent in its own key order, which JavaScript puts
 * integer-like keys first in; pass an array of pairs when the order matters.
 */
export function encodeIndodaxBody(params: IndodaxParams): string {
  const form = new URLSearchParams();
  for (const [name, value] of paramPairs(params)) {
    if (name === '') throw new SigningInputError('an Indodax parameter has an empty name');
    form.append(name, String(value));
  }
  return form.toString();
}

/** The `Sign` header value: hex HMAC-SHA512 of the body, keyed with the secret key. */
export function indodaxSignature(secretKey: string, body: RawBody): string {
  return hmacHex('sha512', secretKey, bodyBytes(body));
}

/** Builds the form body (method, params, then nonce or timestamp and recvWindow) and its headers. */
export function signIndodaxRequest(call: IndodaxCall): IndodaxSignedRequest {
  assertHeaderToken(call.apiKey, 'the Indodax API key');
  assertNonEmptySecret(call.secretKey, 'the Indodax secret key');
  if (call.method === '') throw new SigningInputError('the Indodax method is empty');
  const params = paramPairs(call.params ?? []);
  for (const [name] of params) {
    if (SIGNER_PARAMS.has(name)) throw new SigningInputError(`the Indodax parameter ${name} is set by the signer`);
  }
  const body = encodeIndodaxBody([['method', call.method], ...params, ...freshnessParams(call.freshness)]);
  return {
    headers: {
      Key: call.apiKey,
      Sign: indodaxSignature(call.secretKey, body),
      'Content-Type': 'application/x-www-form-urlencoded',
    },
    body,
  };
}

const SIGNER_PARAMS = new Set(['method', 'nonce', 'timestamp', 'recvWindow']);

function paramPairs(params: IndodaxParams): ReadonlyArray<readonly [string, IndodaxParamValue]> {
  // Array.isArray does not narrow a readonly array type, hence the one cast.
  return Array.isArray(params)
    ? (params as ReadonlyArray<readonly [string, IndodaxParamValue]>)
    : Object.entries(params as Readonly<Record<string, IndodaxParamValue>>);
}

function freshnessParams(freshness: IndodaxFreshness): Array<[string, IndodaxParamValue]> {
  if ('nonce' in freshness) {
    if (freshness.nonce < 0n || freshness.nonce > MAX_INDODAX_NONCE) {
      throw new SigningInputError('the Indodax nonce is outside 0..2^63-1');
    }
    return [['nonce', freshness.nonce]];
  }
  if (!Number.isSafeInteger(freshness.timestamp) || freshness.timestamp < 0) {
    throw new SigningInputError('the Indodax timestamp must be whole milliseconds');
  }
  if (freshness.recvWindowMs === undefined) return [['timestamp', freshness.timestamp]];
  if (!Number.isSafeInteger(freshness.recvWindowMs) || freshness.recvWindowMs < 0) {
    throw new SigningInputError('the Indodax recvWindow must be whole milliseconds');
  }
  return [
    ['timestamp', freshness.timestamp],
    ['recvWindow', freshness.recvWindowMs],
  ];
}

/**
 * Verifies an Indodax-signed request (the provider sandbox's side): `Key` is known, `Sign`
 * matches the body (hex, any case, as documented), the body names a `method`, and it is fresh.
 * With `nonce`, the nonce must be greater than the last accepted for the key. With `timestamp`,
 * the documented rule applies: reject when `timestamp >= serverTime + 1000` or
 * `serverTime - timestamp > recvWindow` (recvWindow default 5000). A body carrying both must
 * pass both. The nonce is recorded only after the signature is verified.
 */
export async function verifyIndodaxRequest(
  request: IndodaxIncomingRequest,
  options: IndodaxVerifierOptions,
): Promise<VerificationResult<VerifiedIndodaxRequest>> {
  const apiKey = readRequiredHeader(request.headers, INDODAX_HEADERS.apiKey);
  if (!apiKey.ok) return apiKey;
  const signature = readRequiredHeader(request.headers, INDODAX_HEADERS.signature);
  if (!signature.ok) return signature;

  const secret = await options.secretForKey(apiKey.value);
  if (secret === undefined || secret.length === 0) {
    return verificationFailure(VerificationFailureReason.UnknownKey, `header ${INDODAX_HEADERS.apiKey} names no known key`);
  }
  const expected = indodaxSignature(secret, request.body);
  const provided = signature.value.toLowerCase();
  if (!/^[0-9a-f]{128}$/.test(provided) || !constantTimeEqual(expected, provided)) {
    return verificationFailure(VerificationFailureReason.BadSignature, `header ${INDODAX_HEADERS.signature} does not match the body`);
  }

  const params = [...new URLSearchParams(bodyBytes(request.body).toString('utf8'))];
  const single = (name: string): VerificationResult<string | undefined> => {
    const values = params.filter(([key]) => key === name);
    if (values.length > 1) return verificationFailure(VerificationFailureReason.MalformedBody, `parameter ${name} is sent more than once`);
    return verified(values[0]?.[1]);
  };
  const method = single('method');
  if (!method.ok) return method;
  if (method.value === undefined || method.value === '') {
    return verificationFailure(VerificationFailureReason.MalformedBody, 'parameter method is missing');
  }
  const nonceParam = single('nonce');
  if (!nonceParam.ok) return nonceParam;
  const timestampParam = single('timestamp');
  if (!timestampParam.ok) return timestampParam;
  const recvWindowParam = single('recvWindow');
  if (!recvWindowParam.ok) return recvWindowParam;
  if (nonceParam.value === undefined && timestampParam.value === undefined) {
    return verificationFailure(VerificationFailureReason.MalformedBody, 'neither parameter nonce nor timestamp is sent');
  }

  const result: VerifiedIndodaxRequest = { apiKey: apiKey.value, method: method.value, params };

  if (timestampParam.value !== undefined) {
    const timestamp = parseMilliseconds(timestampParam.value);
    if (timestamp === undefined) {
      return verificationFailure(VerificationFailureReason.MalformedBody, 'parameter timestamp must be milliseconds in decimal digits');
    }
    let recvWindow = INDODAX_DEFAULT_RECV_WINDOW_MS;
    if (recvWindowParam.value !== undefined) {
      const parsed = parseMilliseconds(recvWindowParam.value);
      if (parsed === undefined) {
        return verificationFailure(VerificationFailureReason.MalformedBody, 'parameter recvWindow must be milliseconds in decimal digits');
      }
      recvWindow = parsed;
    }
    const serverTime = (options.now?.() ?? new Date()).getTime();
    if (timestamp >= serverTime + INDODAX_MAX_FUTURE_SKEW_MS) {
      return verificationFailure(VerificationFailureReason.FutureTimestamp, 'parameter timestamp is ahead of the server clock');
    }
    if (serverTime - timestamp > recvWindow) {
      return verificationFailure(VerificationFailureReason.StaleTimestamp, 'parameter timestamp is older than recvWindow');
    }
    result.timestamp = timestamp;
  }

  if (nonceParam.value !== undefined) {
    if (!DECIMAL_DIGITS.test(nonceParam.value) || nonceParam.value.length > 19 || BigInt(nonceParam.value) > MAX_INDODAX_NONCE) {
      return verificationFailure(VerificationFailureReason.MalformedBody, 'parameter nonce must be an integer in 0..2^63-1');
    }
    const nonce = BigInt(nonceParam.value);
    if ((await options.nonceTracker.advance(apiKey.value, nonce)) === 'not-increasing') {
      return verificationFailure(
        VerificationFailureReason.NonceNotIncreasing,
        'parameter nonce is not greater than the last accepted for this key',
      );
    }
    result.nonce = nonce;
  }
  return verified(result);
}

function parseMilliseconds(value: string): number | undefined {
  if (!DECIMAL_DIGITS.test(value) || value.length > 15) return undefined;
  return Number(value);
}
