import { Controller, Inject } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import type { BatchContext, BatchResult, ConsumedRecord } from '@finmesh/kafka';
import { TOPICS } from '@finmesh/schemas';
import { LedgerBatchProcessor } from '../ledger/batch-processor';
import { OutboxRelay } from '../outbox/outbox-relay';
import { LedgerMetrics } from './ledger-metrics';

/**
 * The ledger's Kafka side: each partition batch of each topic is one call of the batch
 * processor (one database transaction); rejected records go back to the transport for the DLQ.
 */
@Controller()
export class LedgerEventsController {
  constructor(
    @Inject(LedgerBatchProcessor) private readonly processor: LedgerBatchProcessor,
    @Inject(OutboxRelay) private readonly relay: OutboxRelay,
    @Inject(LedgerMetrics) private readonly metrics: LedgerMetrics,
  ) {}

  @EventPattern(TOPICS['transaction.posted'].baseName)
  onTransactions(@Payload() records: ConsumedRecord[], @Ctx() context: BatchContext): Promise<BatchResult> {
    return this.handle(records, context);
  }

  @EventPattern(TOPICS['balance.updated'].baseName)
  onBalances(@Payload() records: ConsumedRecord[], @Ctx() context: BatchContext): Promise<BatchResult> {
    return this.handle(records, context);
  }

  @EventPattern(TOPICS['payment.status_changed'].baseName)
  onPaymentStatuses(@Payload() records: ConsumedRecord[], @Ctx() context: BatchContext): Promise<BatchResult> {
    return this.handle(records, context);
  }

  @EventPattern(TOPICS['account.closed'].baseName)
  onAccountsClosed(@Payload() records: ConsumedRecord[], @Ctx() context: BatchContext): Promise<BatchResult> {
    return this.handle(records, context);
  }

  private async handle(records: readonly ConsumedRecord[], context: BatchContext): Promise<BatchResult> {
    const stopTimer = this.metrics.batchSeconds.startTimer({ topic: context.topic });
    const outcome = await this.processor.process(records);
    stopTimer();
    this.metrics.recordBatch(context.topic, records.length, outcome);
    if (outcome.discrepancyEvents > 0) this.relay.nudge();
    return { rejected: outcome.rejected };
  }
}
