import { CALLBACK_TOKEN_HEADER, STANDARD_WEBHOOK_HEADERS, signStandardWebhook } from '@finmesh/signing';
import type { SandboxContext } from '../context';
import type { Random } from '../core/random';
import { iso } from '../core/time';
import { serializeJson } from '../http/json';

/**
 * Xendit-style webhooks FinDIGI sends when a transfer changes status: a static
 * `x-callback-token` and a `webhook-id` that stays the same across retries (the receiver's
 * idempotency key). With signing secrets configured the same id is also signed as a Standard
 * Webhook (`webhook-timestamp`, `webhook-signature`).
 */
export interface FindigiWebhookTarget {
  url?: string;
  callbackToken: string;
  signingSecrets: readonly string[];
}

export class FindigiWebhooks {
  constructor(
    private readonly ctx: SandboxContext,
    readonly target: FindigiWebhookTarget,
    private readonly ids: Random,
  ) {}

  emit(event: string, clientId: string, data: Record<string, unknown>): void {
    const url = this.target.url;
    if (url === undefined) return;
    const id = `evt_${this.ids.hex(24)}`;
    const createdAt = this.ctx.clock.now();
    const body = serializeJson({ id, event, created: iso(createdAt), business_id: clientId, is_test: true, data });
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      [CALLBACK_TOKEN_HEADER]: this.target.callbackToken,
      [STANDARD_WEBHOOK_HEADERS.id]: id,
    };
    if (this.target.signingSecrets.length > 0) {
      Object.assign(headers, signStandardWebhook({ id, timestamp: new Date(this.ctx.options.wallClock()), body }, this.target.signingSecrets));
    }
    this.ctx.callbacks.enqueue({ provider: 'findigi', eventType: event, url, headers, body });
  }
}
