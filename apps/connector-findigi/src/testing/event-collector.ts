import { createKafka } from '@finmesh/kafka';
import { parseConsumedEvent, TOPICS, topicName, type FinmeshEvent } from '@finmesh/schemas';
import type { Consumer } from 'kafkajs';

/** Reads every payment.status_changed the suite's connector publishes (validated as the ledger would). */
export class PaymentEventCollector {
  readonly events: Array<Extract<FinmeshEvent, { type: 'payment.status_changed' }>> = [];
  private constructor(private readonly consumer: Consumer) {}

  static async start(brokers: string[], prefix: string): Promise<PaymentEventCollector> {
    const consumer = createKafka({ brokers, clientId: `${prefix}payment-collector` }).consumer({ groupId: `${prefix}payment-collector`, maxWaitTimeInMs: 100 });
    const collector = new PaymentEventCollector(consumer);
    await consumer.connect();
    await consumer.subscribe({ topics: [topicName(TOPICS['payment.status_changed'].baseName, prefix)], fromBeginning: true });
    await consumer.run({
      eachMessage: ({ topic, message }) => {
        const event = parseConsumedEvent(topic, message.value);
        if (event.type === 'payment.status_changed') collector.events.push(event);
        return Promise.resolve();
      },
    });
    return collector;
  }

  /** The raw status codes published for one FinDIGI transfer, in arrival order. */
  codesOf(providerPaymentId: string): string[] {
    return this.ofPayment(providerPaymentId).map((event) => event.data.rawStatus.code);
  }

  ofPayment(providerPaymentId: string): Array<Extract<FinmeshEvent, { type: 'payment.status_changed' }>> {
    return this.events.filter((event) => event.payment.id === providerPaymentId);
  }

  stop(): Promise<void> {
    return this.consumer.disconnect();
  }
}
