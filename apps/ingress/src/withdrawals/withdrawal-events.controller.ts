import { Controller, Inject } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import type { BatchContext, BatchResult, ConsumedRecord, RejectedRecord } from '@finmesh/kafka';
import { EventValidationError, parseConsumedEvent, TOPICS } from '@finmesh/schemas';
import { IngressMetrics } from '../ingress-metrics';
import { ExpectedWithdrawalStore, type AnnouncedWithdrawal } from './expected-withdrawals';

/**
 * Learns which Indodax withdrawals finmesh requested: every payment.status_changed event that
 * carries `data.withdrawal` is recorded (one statement per batch) before the batch's offsets are
 * committed. An invalid event is dead-lettered; a database failure is thrown, so the batch is
 * retried (transient) rather than committed unrecorded.
 */
@Controller()
export class WithdrawalEventsController {
  constructor(
    @Inject(ExpectedWithdrawalStore) private readonly withdrawals: ExpectedWithdrawalStore,
    @Inject(IngressMetrics) private readonly metrics: IngressMetrics,
  ) {}

  @EventPattern(TOPICS['payment.status_changed'].baseName)
  async onPaymentStatusChanged(
    @Payload() records: ConsumedRecord[],
    @Ctx() _context: BatchContext,
  ): Promise<BatchResult> {
    const rejected: RejectedRecord[] = [];
    const announced: AnnouncedWithdrawal[] = [];
    for (const record of records) {
      let event;
      try {
        event = parseConsumedEvent(record.topic, record.value);
      } catch (error: unknown) {
        if (!(error instanceof EventValidationError)) throw error;
        rejected.push({ record, reason: error.reason });
        continue;
      }
      if (event.type === 'payment.status_changed' && event.data.withdrawal !== undefined) {
        announced.push({ withdrawal: event.data.withdrawal, paymentKey: event.payment.key, eventId: event.id });
      }
    }
    await this.withdrawals.record(announced);
    this.metrics.expectedWithdrawals.inc(announced.length);
    return { rejected };
  }
}
