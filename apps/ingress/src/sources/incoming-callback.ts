import type { CallbackVerification, Provider } from '@finmesh/schemas';
import type { VerificationFailure } from '@finmesh/signing';
import { errorCodeOfVerificationFailure, IngressError, IngressErrorCode } from '../http/ingress-error';

/** A callback request as the sources see it: raw bytes and headers, nothing parsed yet. */
export interface IncomingCallback {
  headers: Readonly<Record<string, string | readonly string[] | undefined>>;
  body: Buffer;
  contentType: string | undefined;
  receivedAt: Date;
  correlationId: string;
}

/** What a source's verifier establishes about a callback it accepts. */
export interface VerifiedCallback {
  source: string;
  provider: Provider;
  /** Unique per source; the dedupe key. */
  idempotencyKey: string;
  verification: CallbackVerification;
  /** When the provider says it happened (a signed timestamp), else the time it was received. */
  occurredAt: Date;
}

const MAX_IDEMPOTENCY_KEY_LENGTH = 512;

/** A verifier's failure as the answer to the caller; `detail` names headers, never values. */
export function verificationError(failure: VerificationFailure): IngressError {
  return new IngressError(errorCodeOfVerificationFailure(failure.reason), failure.detail, { reason: failure.reason });
}

/** An idempotency key the event contract can carry (1 to 512 characters, no control characters). */
export function checkedIdempotencyKey(key: string, what: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
  if (key.length === 0 || key.length > MAX_IDEMPOTENCY_KEY_LENGTH || /[\u0000-\u001f\u007f]/.test(key)) {
    throw new IngressError(
      IngressErrorCode.MalformedRequest,
      `${what} must be 1 to ${MAX_IDEMPOTENCY_KEY_LENGTH} characters without control characters`,
      { reason: 'malformed_header' },
    );
  }
  return key;
}
