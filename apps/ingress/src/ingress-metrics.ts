import { Inject, Injectable } from '@nestjs/common';
import { MetricsService } from '@finmesh/service-runtime';
import type { Counter, Gauge, Histogram } from 'prom-client';

/** How a callback request ended, for the latency histogram. */
export type CallbackOutcome = 'accepted' | 'duplicate' | 'rejected' | 'unavailable' | 'error';

/** The ingress's own metrics, per source; names are prefixed `finmesh_ingress_`. */
@Injectable()
export class IngressMetrics {
  readonly accepted: Counter<'source'>;
  readonly rejected: Counter<'source' | 'reason'>;
  readonly duplicates: Counter<'source'>;
  readonly unavailable: Counter<'source' | 'dependency'>;
  readonly duration: Histogram<'source' | 'outcome'>;
  readonly stageDuration: Histogram<'stage'>;
  readonly indodaxWait: Histogram<'outcome'>;
  readonly indodaxWaiting: Gauge;
  readonly expectedWithdrawals: Counter;
  readonly replayed: Counter<'source'>;
  readonly storeBatchSize: Histogram<'operation'>;

  constructor(@Inject(MetricsService) metrics: MetricsService) {
    this.accepted = metrics.counter({
      name: 'callbacks_accepted_total',
      help: 'Callbacks stored and published, then acknowledged (2xx).',
      labelNames: ['source'],
    });
    this.rejected = metrics.counter({
      name: 'callbacks_rejected_total',
      help: 'Callbacks refused, by reason (verification failure reason, malformed, rate limited, withdrawal checks …).',
      labelNames: ['source', 'reason'],
    });
    this.duplicates = metrics.counter({
      name: 'callbacks_duplicate_total',
      help: 'Callbacks already accepted before (same source and idempotency key): answered 2xx, not republished.',
      labelNames: ['source'],
    });
    this.unavailable = metrics.counter({
      name: 'callbacks_unavailable_total',
      help: 'Callbacks answered 503 because a dependency could not take them.',
      labelNames: ['source', 'dependency'],
    });
    this.duration = metrics.histogram({
      name: 'callback_duration_seconds',
      help: 'Time from the request to its answer, by source and outcome.',
      labelNames: ['source', 'outcome'],
    });
    this.stageDuration = metrics.histogram({
      name: 'intake_stage_seconds',
      help: 'Time of each step of the durability protocol: store (pending INSERT), publish (Kafka ack), mark_published.',
      labelNames: ['stage'],
    });
    this.indodaxWait = metrics.histogram({
      name: 'indodax_withdrawal_wait_seconds',
      help: 'How long an Indodax callback waited for its withdrawal request to arrive from Kafka.',
      labelNames: ['outcome'],
    });
    this.indodaxWaiting = metrics.gauge({
      name: 'indodax_callbacks_waiting',
      help: 'Indodax callbacks waiting right now for their withdrawal request to arrive.',
    });
    this.expectedWithdrawals = metrics.counter({
      name: 'expected_withdrawals_recorded_total',
      help: 'Withdrawal requests recorded from payment.status_changed events.',
    });
    this.replayed = metrics.counter({
      name: 'callbacks_replayed_total',
      help: 'Stored callbacks republished through the admin replay endpoint.',
      labelNames: ['source'],
    });
    this.storeBatchSize = metrics.histogram({
      name: 'store_batch_size',
      help: 'Rows per batched PostgreSQL statement on the request path.',
      labelNames: ['operation'],
      buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500],
    });
  }
}
