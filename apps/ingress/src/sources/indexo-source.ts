import { createHash } from 'node:crypto';
import { parseJsonLosslessly, type LosslessJsonValue } from '@finmesh/schemas';
import { constantTimeEqualsAny, readRequiredHeader, VerificationFailureReason, verificationFailure } from '@finmesh/signing';
import { INDEXO_SOURCE } from '../config';
import { mediaTypeOf } from '../http/bodies';
import { IngressError, IngressErrorCode } from '../http/ingress-error';
import { verificationError, type IncomingCallback, type VerifiedCallback } from './incoming-callback';

export const INDEXO_TOKEN_HEADER = 'x-indexo-notification-token';

const TOKEN_PATH = /^(\/callbacks\/indexo\/notifications\/)[^/]+/;

/** The request path as it may be logged: the secret segment of a notification URI masked. */
export function maskNotificationToken(path: string): string {
  return path.replace(TOKEN_PATH, '$1[REDACTED]');
}

/**
 * INDEXO (Berlin Group NextGenPSD2) status notifications for payments and consents. The bank
 * posts to the `TPP-Notification-URI` finmesh gave it when initiating the payment or consent, and
 * signs nothing; finmesh therefore puts a secret in that URI —
 * `https://<ingress>/callbacks/indexo/notifications/<token>` — and only a caller who knows the URI
 * can notify (a gateway may move the token into the `x-indexo-notification-token` header instead).
 * Tokens are compared in constant time with every configured one (rotation).
 *
 * The body must be a JSON object naming its resource (`paymentId` or `consentId`); its status
 * fields are passed on as they are. The idempotency key is `sha256:<hex of the body>`: the bank
 * repeats a notification with the same body, and two notifications with equal bodies say the same
 * thing.
 */
export class IndexoSource {
  readonly name = INDEXO_SOURCE;

  constructor(private readonly tokens: readonly string[]) {}

  verify(incoming: IncomingCallback, pathToken: string | undefined): VerifiedCallback {
    let token = pathToken;
    if (token === undefined) {
      const header = readRequiredHeader(incoming.headers, INDEXO_TOKEN_HEADER);
      if (!header.ok) throw verificationError(header);
      token = header.value;
    }
    if (!constantTimeEqualsAny(this.tokens, token)) {
      throw verificationError(
        verificationFailure(VerificationFailureReason.InvalidToken, 'the notification token matches no accepted token'),
      );
    }
    checkNotification(incoming);
    return {
      source: this.name,
      provider: 'indexo',
      idempotencyKey: `sha256:${createHash('sha256').update(incoming.body).digest('hex')}`,
      verification: { scheme: 'indexo-notification' },
      occurredAt: incoming.receivedAt,
    };
  }
}

function checkNotification(incoming: IncomingCallback): void {
  const malformed = (message: string): IngressError =>
    new IngressError(IngressErrorCode.MalformedRequest, message, { reason: VerificationFailureReason.MalformedBody });
  if (mediaTypeOf(incoming.contentType) !== 'application/json') throw malformed('a notification must be application/json');
  let parsed: LosslessJsonValue;
  try {
    parsed = parseJsonLosslessly(new TextDecoder('utf-8', { fatal: true }).decode(incoming.body));
  } catch {
    throw malformed('the notification is not valid JSON');
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw malformed('the notification is not a JSON object');
  const resourceId = parsed['paymentId'] ?? parsed['consentId'];
  if (typeof resourceId !== 'string' || resourceId.length === 0 || resourceId.length > 256) {
    throw malformed('the notification names no paymentId or consentId');
  }
}
