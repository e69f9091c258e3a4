import type { FastifyRequest } from 'fastify';
import { VerificationFailureReason, verifyIndodaxRequest, type IndodaxNonceTracker, type VerificationFailure } from '@finmesh/signing';
import type { IndodaxKey } from '../options';
import { rawBody } from '../http/raw-body';
import { INVALID_CREDENTIALS, TapiError } from './errors';

/**
 * Authenticates a TAPI request with @finmesh/signing: `Key` names a configured key, `Sign` is
 * the HMAC-SHA512 of the exact body, and the nonce increases (or the timestamp is within
 * recvWindow). Returns the method and parameters, or throws the documented error envelope.
 */
export async function authenticateTapi(
  request: FastifyRequest,
  keys: readonly IndodaxKey[],
  nonceTracker: IndodaxNonceTracker,
  wallClock: () => number,
): Promise<{ key: IndodaxKey; method: string; params: Map<string, string> }> {
  const verification = await verifyIndodaxRequest(
    { headers: request.headers, body: rawBody(request) },
    {
      secretForKey: (apiKey) => keys.find((key) => key.apiKey === apiKey)?.secretKey,
      nonceTracker,
      now: () => new Date(wallClock()),
    },
  );
  if (!verification.ok) throw failureError(verification);
  const key = keys.find((candidate) => candidate.apiKey === verification.value.apiKey);
  if (!key) throw TapiError.of(INVALID_CREDENTIALS, 'invalid_credentials');
  const params = new Map<string, string>();
  for (const [name, value] of verification.value.params) {
    if (params.has(name)) throw TapiError.of(`Invalid request: parameter ${name} is sent more than once.`, 'invalid_request');
    params.set(name, value);
  }
  return { key, method: verification.value.method, params };
}

function failureError(failure: VerificationFailure): TapiError {
  switch (failure.reason) {
    case VerificationFailureReason.BadSignature:
      return TapiError.of('Invalid credentials. Bad sign.', 'invalid_credentials');
    case VerificationFailureReason.NonceNotIncreasing:
      return TapiError.of('Invalid nonce: it must be greater than the last nonce used with this key.', 'invalid_nonce');
    case VerificationFailureReason.StaleTimestamp:
      return TapiError.of('Request expired: timestamp is older than recvWindow allows.', 'invalid_timestamp');
    case VerificationFailureReason.FutureTimestamp:
      return TapiError.of('Invalid timestamp: it is ahead of the server time.', 'invalid_timestamp');
    case VerificationFailureReason.MalformedBody:
      return TapiError.of(`Invalid request: ${failure.detail}.`, 'invalid_request');
    case VerificationFailureReason.MissingHeader:
    case VerificationFailureReason.MalformedHeader:
    case VerificationFailureReason.UnknownKey:
    case VerificationFailureReason.UnsupportedSignatureVersion:
    case VerificationFailureReason.ReplayedNonce:
    case VerificationFailureReason.InvalidToken:
    case VerificationFailureReason.InvalidCertificate:
      return TapiError.of(INVALID_CREDENTIALS, 'invalid_credentials');
  }
}
