import { readRequiredHeader, verifyCallbackToken } from '@finmesh/signing';
import { XENDIT_SOURCE } from '../config';
import { checkedIdempotencyKey, verificationError, type IncomingCallback, type VerifiedCallback } from './incoming-callback';

export const XENDIT_WEBHOOK_ID_HEADER = 'webhook-id';

/**
 * FinDIGI's Xendit-style webhooks (`POST /webhooks/xendit`): the static `x-callback-token`
 * compared in constant time with every configured token (rotation), then `webhook-id` — the same
 * on every retry — as the idempotency key. Authenticity is checked before the request's shape, so
 * an unauthenticated caller learns nothing about what else is expected.
 */
export class XenditSource {
  readonly name = XENDIT_SOURCE;

  constructor(private readonly tokens: readonly string[]) {}

  verify(incoming: IncomingCallback): VerifiedCallback {
    const token = verifyCallbackToken(incoming.headers, this.tokens);
    if (!token.ok) throw verificationError(token);
    const id = readRequiredHeader(incoming.headers, XENDIT_WEBHOOK_ID_HEADER);
    if (!id.ok) throw verificationError(id);
    return {
      source: this.name,
      provider: 'findigi',
      idempotencyKey: checkedIdempotencyKey(id.value, `header ${XENDIT_WEBHOOK_ID_HEADER}`),
      verification: { scheme: 'callback-token' },
      occurredAt: incoming.receivedAt,
    };
  }
}
