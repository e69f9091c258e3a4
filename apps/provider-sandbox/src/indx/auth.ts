import type { FastifyReply, FastifyRequest } from 'fastify';
import { VerificationFailureReason, verifyIndxRequest, type ReplayStore, type VerificationFailure } from '@finmesh/signing';
import { rawBody } from '../http/raw-body';
import type { IndxCredential } from '../options';
import { indxError, type IndxErrorCode } from './errors';

/**
 * Checks the four X-API-* headers with @finmesh/signing, over the request target exactly as it
 * arrived (base path included, e.g. `/indx/v1/accounts?limit=10`) and the exact body bytes:
 * known key, matching HMAC-SHA256 of the canonical string, timestamp within the window, nonce
 * not seen before. On failure answers 401 with a code naming the reason.
 */
export async function verifyIndxCaller(
  request: FastifyRequest,
  reply: FastifyReply,
  options: { credentials: readonly IndxCredential[]; replayStore: ReplayStore; maxAgeSeconds: number; wallClock: () => number },
): Promise<boolean> {
  const result = await verifyIndxRequest(
    { method: request.method, pathWithQuery: request.url, body: rawBody(request), headers: request.headers },
    {
      secretForKey: (apiKey) => options.credentials.find((credential) => credential.apiKey === apiKey)?.apiSecret,
      replayStore: options.replayStore,
      maxAgeSeconds: options.maxAgeSeconds,
      now: () => new Date(options.wallClock()),
    },
  );
  if (result.ok) return true;
  const [code, message] = describe(result);
  indxError(reply, code, message);
  return false;
}

function describe(failure: VerificationFailure): [IndxErrorCode, string] {
  const detail = `${failure.detail.charAt(0).toUpperCase()}${failure.detail.slice(1)}.`;
  switch (failure.reason) {
    case VerificationFailureReason.MissingHeader:
      return ['missing_auth_header', detail];
    case VerificationFailureReason.MalformedHeader:
    case VerificationFailureReason.MalformedBody:
      return ['malformed_auth_header', detail];
    case VerificationFailureReason.UnknownKey:
      return ['invalid_api_key', detail];
    case VerificationFailureReason.BadSignature:
    case VerificationFailureReason.UnsupportedSignatureVersion:
    case VerificationFailureReason.InvalidToken:
    case VerificationFailureReason.InvalidCertificate:
      return ['invalid_signature', `${detail} Sign "<timestamp>\\n<nonce>\\n<METHOD>\\n<path with query>\\n<sha256 hex of body>" with HMAC-SHA256.`];
    case VerificationFailureReason.StaleTimestamp:
      return ['stale_timestamp', detail];
    case VerificationFailureReason.FutureTimestamp:
      return ['future_timestamp', detail];
    case VerificationFailureReason.ReplayedNonce:
    case VerificationFailureReason.NonceNotIncreasing:
      return ['replayed_nonce', detail];
  }
}
