import type { EventPublisher } from '@finmesh/kafka';
import type { FinmeshEvent, Provider } from '@finmesh/schemas';
import type { EventSink } from '../sync/sync-engine';

export interface PublishObserver {
  eventsPublished?(info: { type: FinmeshEvent['type']; count: number }): void;
  publishFailed?(info: { count: number }): void;
}

/**
 * The connector's way onto Kafka: the EventPublisher of @finmesh/kafka (an idempotent producer,
 * acks=all, every event validated against the contract and keyed per the topic registry) with
 * the guard that a connector publishes only its own provider's events. A page's events go in one
 * call, which the publisher sends as one batch.
 */
export class ConnectorPublisher implements EventSink {
  constructor(
    private readonly publisher: EventPublisher,
    private readonly provider: Provider,
    private readonly observer: PublishObserver = {},
  ) {}

  async publish(events: readonly FinmeshEvent[]): Promise<void> {
    if (events.length === 0) return;
    for (const event of events) {
      if (event.provider !== this.provider) throw new Error(`refusing to publish a ${event.provider} event from the ${this.provider} connector`);
    }
    try {
      await this.publisher.publish(events);
    } catch (error: unknown) {
      this.observer.publishFailed?.({ count: events.length });
      throw error;
    }
    const counts = new Map<FinmeshEvent['type'], number>();
    for (const event of events) counts.set(event.type, (counts.get(event.type) ?? 0) + 1);
    for (const [type, count] of counts) this.observer.eventsPublished?.({ type, count });
  }
}
