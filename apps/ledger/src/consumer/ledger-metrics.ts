import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { BatchProcessedInfo } from '@finmesh/kafka';
import type { BatchOutcome } from '../ledger/batch-processor';

/** The ledger's own Prometheus metrics: throughput, batch sizes, duplicates, DLQ, lag. */
export class LedgerMetrics {
  readonly events: Counter<'topic' | 'outcome'>;
  readonly postings: Counter;
  readonly journals: Counter;
  readonly batchSize: Histogram<'topic'>;
  readonly batchSeconds: Histogram<'topic'>;
  readonly lag: Gauge<'topic' | 'partition'>;
  readonly deadLettered: Counter<'topic'>;
  readonly outboxPublished: Counter;

  constructor(registry: Registry) {
    this.events = new Counter({
      name: 'finmesh_ledger_events_total',
      help: 'Events consumed by the ledger, by outcome (applied, duplicate, rejected).',
      labelNames: ['topic', 'outcome'],
      registers: [registry],
    });
    this.postings = new Counter({ name: 'finmesh_ledger_postings_total', help: 'Postings written.', registers: [registry] });
    this.journals = new Counter({ name: 'finmesh_ledger_journals_total', help: 'Journals written.', registers: [registry] });
    this.batchSize = new Histogram({
      name: 'finmesh_ledger_batch_size',
      help: 'Records per consumed batch (one database transaction each).',
      labelNames: ['topic'],
      buckets: [1, 10, 50, 100, 250, 500, 1000, 2500, 5000],
      registers: [registry],
    });
    this.batchSeconds = new Histogram({
      name: 'finmesh_ledger_batch_seconds',
      help: 'Time to process one batch, database commit included.',
      labelNames: ['topic'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    });
    this.lag = new Gauge({
      name: 'finmesh_ledger_consumer_lag',
      help: 'Messages behind the partition high watermark after the last batch.',
      labelNames: ['topic', 'partition'],
      registers: [registry],
    });
    this.deadLettered = new Counter({
      name: 'finmesh_ledger_dead_lettered_total',
      help: 'Messages sent to a DLQ by the ledger.',
      labelNames: ['topic'],
      registers: [registry],
    });
    this.outboxPublished = new Counter({
      name: 'finmesh_ledger_outbox_published_total',
      help: 'Ledger events (discrepancies) published from the outbox.',
      registers: [registry],
    });
  }

  recordBatch(topic: string, size: number, outcome: BatchOutcome): void {
    this.batchSize.observe({ topic }, size);
    this.events.inc({ topic, outcome: 'applied' }, outcome.applied);
    this.events.inc({ topic, outcome: 'duplicate' }, outcome.duplicates);
    this.events.inc({ topic, outcome: 'rejected' }, outcome.rejected.length);
    this.postings.inc(outcome.postings);
    this.journals.inc(outcome.journals);
  }

  recordCommitted(info: BatchProcessedInfo): void {
    this.lag.set({ topic: info.topic, partition: String(info.partition) }, info.lag);
    if (info.deadLettered > 0) this.deadLettered.inc({ topic: info.topic }, info.deadLettered);
  }
}
