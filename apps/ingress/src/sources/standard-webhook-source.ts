import { createStandardWebhookVerifier, type StandardWebhookIncoming, type VerifiedStandardWebhookWithKey } from '@finmesh/signing';
import type { VerificationResult } from '@finmesh/signing';
import type { StandardWebhookSourceConfig } from '../config';
import { checkedIdempotencyKey, verificationError, type IncomingCallback, type VerifiedCallback } from './incoming-callback';

/**
 * A Standard Webhooks source (`POST /webhooks/<name>`): `webhook-id`, `webhook-timestamp` and
 * `webhook-signature` over the exact body bytes, any configured secret (rotation), the timestamp
 * within the tolerance in both directions. `webhook-id` is the idempotency key.
 */
export class StandardWebhookSource {
  /** The label of each secret, in the order the verifier holds them. */
  private readonly keyIds: ReadonlyArray<string | undefined>;
  /** The secrets are decoded once, here, not on every request. */
  private readonly verifier: (request: StandardWebhookIncoming) => VerificationResult<VerifiedStandardWebhookWithKey>;

  constructor(
    readonly name: string,
    private readonly config: StandardWebhookSourceConfig,
    now: () => Date = () => new Date(),
  ) {
    this.keyIds = config.secrets.map((entry) => (typeof entry === 'string' ? undefined : entry.keyId));
    this.verifier = createStandardWebhookVerifier({
      secrets: config.secrets.map((entry) => (typeof entry === 'string' ? entry : entry.secret)),
      toleranceSeconds: config.toleranceSeconds,
      now,
    });
  }

  get rateLimitPerSecond(): number | undefined {
    return this.config.rateLimitPerSecond;
  }

  verify(incoming: IncomingCallback): VerifiedCallback {
    const result = this.verifier({ headers: incoming.headers, body: incoming.body });
    if (!result.ok) throw verificationError(result);
    const idempotencyKey = checkedIdempotencyKey(result.value.id, 'header webhook-id');
    // The label of the secret that matched (the first labelled one when a sender signs with several).
    const keyId = result.value.matchingSecretIndexes.map((index) => this.keyIds[index]).find((label) => label !== undefined);
    return {
      source: this.name,
      provider: this.config.provider,
      idempotencyKey,
      verification: keyId === undefined ? { scheme: 'standard-webhooks' } : { scheme: 'standard-webhooks', keyId },
      occurredAt: new Date(result.value.timestamp * 1_000),
    };
  }
}
