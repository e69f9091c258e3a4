import { INDEXO_SOURCE, INDODAX_WITHDRAW_SOURCE, XENDIT_SOURCE, type IngressConfig } from '../config';
import type { IndexoSource } from './indexo-source';
import type { IndodaxWithdrawalSource } from './indodax-withdrawal-source';
import { StandardWebhookSource } from './standard-webhook-source';
import type { XenditSource } from './xendit-source';

/** The label of requests whose source does not exist: keeps the metrics' cardinality bounded. */
export const UNKNOWN_SOURCE = 'unknown';

/** Every configured source, by route. */
export class IngressSources {
  readonly standardWebhooks: ReadonlyMap<string, StandardWebhookSource>;

  constructor(
    config: IngressConfig,
    readonly indodax: IndodaxWithdrawalSource,
    readonly xendit: XenditSource | undefined,
    readonly indexo: IndexoSource | undefined,
    now: () => Date = () => new Date(),
  ) {
    this.standardWebhooks = new Map(
      Object.entries(config.INGRESS_STANDARD_WEBHOOK_SOURCES).map(([name, source]) => [
        name,
        new StandardWebhookSource(name, source, now),
      ]),
    );
  }

  /** The source a request path belongs to, for metrics of requests refused before routing (413, 415). */
  sourceOfPath(path: string): string {
    const [, area, first, second] = path.split('?', 1)[0]?.split('/') ?? [];
    if (area === 'webhooks' && first === 'xendit') return this.xendit ? XENDIT_SOURCE : UNKNOWN_SOURCE;
    if (area === 'webhooks' && first !== undefined) return this.standardWebhooks.has(first) ? first : UNKNOWN_SOURCE;
    if (area === 'callbacks' && first === 'indodax' && second === 'withdrawals') return INDODAX_WITHDRAW_SOURCE;
    if (area === 'callbacks' && first === 'indexo' && second === 'notifications') {
      return this.indexo ? INDEXO_SOURCE : UNKNOWN_SOURCE;
    }
    return UNKNOWN_SOURCE;
  }
}
