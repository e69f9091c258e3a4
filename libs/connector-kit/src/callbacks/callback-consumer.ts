import { BatchConsumer, isTransientError, type BatchConsumerLogger, type ConsumedRecord, type DeadLetterPublisher, type RejectedRecord } from '@finmesh/kafka';
import { ContractError, EventValidationError, parseConsumedEvent, TOPICS, topicName, type FinmeshEvent } from '@finmesh/schemas';
import type { Kafka } from 'kafkajs';
import { UntranslatableCallbackError } from '../contract/capabilities';
import type { Connector } from '../contract/connector';
import { describeError, silentLogger, type ConnectorLogger } from '../logging';
import type { PaymentsService } from '../payments/payments-service';
import type { EventSink } from '../sync/sync-engine';

export interface CallbackConsumerOptions {
  connector: Connector;
  kafka: Kafka;
  groupId: string;
  topicPrefix?: string;
  publisher: EventSink;
  payments: PaymentsService;
  deadLetters: DeadLetterPublisher;
  log?: ConnectorLogger;
  onTranslated?: (info: { outcome: 'translated' | 'skipped' | 'dead_lettered' }) => void;
}

/**
 * Consumes `finmesh.callback-received.v1` (capability translate_callbacks): callbacks of other
 * providers are skipped; this provider's are translated, their events published and their
 * payment updates applied (never backwards) before the offsets are committed. A callback that
 * cannot be parsed or translated is dead-lettered; a provider or Kafka outage is retried.
 */
export class CallbackConsumer {
  private consumer: BatchConsumer | undefined;
  private readonly log: ConnectorLogger;

  constructor(private readonly options: CallbackConsumerOptions) {
    this.log = options.log ?? silentLogger;
  }

  async start(): Promise<void> {
    if (!this.options.connector.has('translate_callbacks') || this.consumer) return;
    const log: BatchConsumerLogger = {
      info: (message, extra) => this.log.info(message, extra),
      warn: (message, extra) => this.log.warn(message, extra),
      error: (message, extra) => this.log.error(message, extra),
    };
    this.consumer = new BatchConsumer({
      kafka: this.options.kafka,
      groupId: this.options.groupId,
      topics: [topicName(TOPICS['callback.received'].baseName, this.options.topicPrefix)],
      handler: (records) => this.handle(records),
      deadLetters: this.options.deadLetters,
      isTransient: isTransientError,
      log,
    });
    await this.consumer.start();
  }

  async stop(): Promise<void> {
    await this.consumer?.stop();
    this.consumer = undefined;
  }

  get running(): boolean {
    return this.consumer?.isRunning ?? false;
  }

  /** Handles one partition's batch; exported for tests through the consumer. */
  async handle(records: readonly ConsumedRecord[]): Promise<{ rejected: RejectedRecord[] }> {
    const translator = this.options.connector.handler('translate_callbacks');
    if (!translator) return { rejected: [] };
    const rejected: RejectedRecord[] = [];
    for (const record of records) {
      let callback: FinmeshEvent;
      try {
        callback = parseConsumedEvent(record.topic, record.value);
      } catch (error: unknown) {
        if (!(error instanceof EventValidationError)) throw error;
        rejected.push({ record, reason: error.reason });
        this.options.onTranslated?.({ outcome: 'dead_lettered' });
        continue;
      }
      if (callback.type !== 'callback.received' || callback.provider !== this.options.connector.provider) {
        this.options.onTranslated?.({ outcome: 'skipped' });
        continue;
      }
      try {
        const translation = await translator.translate(callback, { log: this.log });
        await this.options.publisher.publish(translation.events);
        for (const update of translation.paymentUpdates ?? []) {
          const outcome = await this.options.payments.observeByProviderId(update.providerPaymentId, update.observation, 'callback');
          if (outcome === 'unknown-payment') {
            this.log.warn('a callback reports a payment this connector did not initiate; its status is not tracked', {
              callbackId: callback.data.callbackId,
              providerPaymentId: update.providerPaymentId,
            });
          }
        }
        this.options.onTranslated?.({ outcome: 'translated' });
      } catch (error: unknown) {
        // Retrying cannot fix a callback that does not translate or whose result breaks the contract.
        if (error instanceof UntranslatableCallbackError || error instanceof ContractError) {
          this.log.warn('dead-lettering an untranslatable callback', { callbackId: callback.data.callbackId, error: describeError(error) });
          rejected.push({ record, reason: `untranslatable callback: ${describeError(error)}` });
          this.options.onTranslated?.({ outcome: 'dead_lettered' });
          continue;
        }
        throw error;
      }
    }
    return { rejected };
  }
}
