import { verifyStandardWebhook } from '@finmesh/signing';
import type { StandardWebhookSourceConfig } from '../config';
import { checkedIdempotencyKey, verificationError, type IncomingCallback, type VerifiedCallback } from './incoming-callback';

interface LabelledSecret {
  keyId: string | undefined;
  secret: string;
}

/**
 * A Standard Webhooks source (`POST /webhooks/<name>`): `webhook-id`, `webhook-timestamp` and
 * `webhook-signature` over the exact body bytes, any configured secret (rotation), the timestamp
 * within the tolerance in both directions. `webhook-id` is the idempotency key.
 */
export class StandardWebhookSource {
  private readonly secrets: readonly LabelledSecret[];

  constructor(
    readonly name: string,
    private readonly config: StandardWebhookSourceConfig,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.secrets = config.secrets.map((entry) =>
      typeof entry === 'string' ? { keyId: undefined, secret: entry } : { keyId: entry.keyId, secret: entry.secret },
    );
  }

  get rateLimitPerSecond(): number | undefined {
    return this.config.rateLimitPerSecond;
  }

  verify(incoming: IncomingCallback): VerifiedCallback {
    const request = { headers: incoming.headers, body: incoming.body };
    const options = { toleranceSeconds: this.config.toleranceSeconds, now: this.now };
    const result = verifyStandardWebhook(request, { ...options, secrets: this.secrets.map((s) => s.secret) });
    if (!result.ok) throw verificationError(result);
    const idempotencyKey = checkedIdempotencyKey(result.value.id, 'header webhook-id');
    const keyId = this.matchingKeyId(request, options);
    return {
      source: this.name,
      provider: this.config.provider,
      idempotencyKey,
      verification: keyId === undefined ? { scheme: 'standard-webhooks' } : { scheme: 'standard-webhooks', keyId },
      occurredAt: new Date(result.value.timestamp * 1_000),
    };
  }

  /** The label of the secret that matched; only worked out when secrets are labelled. */
  private matchingKeyId(
    request: { headers: IncomingCallback['headers']; body: Buffer },
    options: { toleranceSeconds: number; now: () => Date },
  ): string | undefined {
    const labelled = this.secrets.filter((entry) => entry.keyId !== undefined);
    if (labelled.length === 0) return undefined;
    if (this.secrets.length === 1) return labelled[0]?.keyId;
    return labelled.find((entry) => verifyStandardWebhook(request, { ...options, secrets: [entry.secret] }).ok)?.keyId;
  }
}
