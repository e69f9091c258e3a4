import type { MetricsService } from '@finmesh/service-runtime';
import { Gauge, type Counter, type Histogram } from 'prom-client';
import type { SyncResource } from '../contract/capabilities';
import type { CircuitStateName, HttpClientObserver } from '../http/resilient-http-client';
import type { PaymentsObserver } from '../payments/payments-service';
import type { PublishObserver } from '../publishing/connector-publisher';
import type { SyncObserver } from '../sync/sync-engine';

const CIRCUIT_VALUES: Readonly<Record<CircuitStateName, number>> = { closed: 0, half_open: 1, open: 2 };

/** What the sync lag gauge reads at scrape time: when each resource last completed a run. */
export type LastSuccessSource = () => Promise<ReadonlyArray<{ resource: string; lastSuccessAt: Date | null }>>;

/**
 * A connector's Prometheus metrics (prefix `finmesh_connector_`, labels service and provider):
 * provider requests per endpoint and outcome, their latency, retries, the circuit state, sync
 * pages and runs, the sync lag, events published, payment statuses and callbacks.
 */
export class ConnectorMetrics implements HttpClientObserver, SyncObserver, PublishObserver, PaymentsObserver {
  readonly requests: Counter<'endpoint' | 'method' | 'outcome'>;
  readonly requestSeconds: Histogram<'endpoint'>;
  readonly retries: Counter<'endpoint' | 'kind'>;
  readonly circuit: Gauge;
  readonly syncPages: Counter<'resource'>;
  readonly syncRuns: Counter<'resource' | 'outcome'>;
  readonly publishedEvents: Counter<'type'>;
  readonly publishFailures: Counter;
  readonly paymentStatuses: Counter<'status' | 'decision'>;
  readonly callbacks: Counter<'outcome'>;

  constructor(metrics: MetricsService, lastSuccess: LastSuccessSource) {
    this.requests = metrics.counter({
      name: 'provider_requests_total',
      help: 'Provider HTTP requests (each attempt) by logical endpoint and outcome (ok or the upstream error kind).',
      labelNames: ['endpoint', 'method', 'outcome'],
    });
    this.requestSeconds = metrics.histogram({ name: 'provider_request_seconds', help: 'Provider HTTP request latency.', labelNames: ['endpoint'] });
    this.retries = metrics.counter({ name: 'provider_retries_total', help: 'Retries scheduled, by endpoint and failure kind.', labelNames: ['endpoint', 'kind'] });
    this.circuit = metrics.gauge({ name: 'provider_circuit_state', help: 'Circuit breaker state: 0 closed, 1 half open, 2 open.' });
    this.circuit.set(0);
    this.syncPages = metrics.counter({ name: 'sync_pages_total', help: 'Pages synced (events acknowledged, cursor saved).', labelNames: ['resource'] });
    this.syncRuns = metrics.counter({ name: 'sync_runs_total', help: 'Sync attempts finished, by resource and outcome.', labelNames: ['resource', 'outcome'] });
    this.publishedEvents = metrics.counter({ name: 'events_published_total', help: 'Events acknowledged by Kafka, by type.', labelNames: ['type'] });
    this.publishFailures = metrics.counter({ name: 'publish_failures_total', help: 'Events whose publication failed (retried from the cursor).' });
    this.paymentStatuses = metrics.counter({
      name: 'payment_statuses_total',
      help: 'payment.status_changed events published, by status and transition decision.',
      labelNames: ['status', 'decision'],
    });
    this.callbacks = metrics.counter({ name: 'callbacks_total', help: 'Callbacks consumed, by outcome.', labelNames: ['outcome'] });
    // Computed at scrape time from the database, so every replica reports the connector's real lag.
    new Gauge<'resource'>({
      name: `${metrics.prefix}sync_lag_seconds`,
      help: 'Seconds since each resource last completed a sync run.',
      labelNames: ['resource'],
      registers: [metrics.registry],
      async collect() {
        const rows = await lastSuccess().catch(() => []);
        this.reset();
        for (const row of rows) {
          if (row.lastSuccessAt !== null) this.set({ resource: row.resource }, (Date.now() - row.lastSuccessAt.getTime()) / 1000);
        }
      },
    });
  }

  requestCompleted(info: { endpoint: string; method: string; outcome: string; durationMs: number }): void {
    this.requests.inc({ endpoint: info.endpoint, method: info.method, outcome: info.outcome });
    this.requestSeconds.observe({ endpoint: info.endpoint }, info.durationMs / 1000);
  }

  retryScheduled(info: { endpoint: string; kind: string }): void {
    this.retries.inc({ endpoint: info.endpoint, kind: info.kind });
  }

  circuitStateChanged(state: CircuitStateName): void {
    this.circuit.set(CIRCUIT_VALUES[state]);
  }

  pageSynced(info: { resource: SyncResource }): void {
    this.syncPages.inc({ resource: info.resource });
  }

  runFinished(info: { resource: SyncResource; outcome: string }): void {
    this.syncRuns.inc({ resource: info.resource, outcome: info.outcome });
  }

  eventsPublished(info: { type: string; count: number }): void {
    this.publishedEvents.inc({ type: info.type }, info.count);
  }

  publishFailed(info: { count: number }): void {
    this.publishFailures.inc(info.count);
  }

  statusPublished(info: { decision: string; status: string }): void {
    this.paymentStatuses.inc({ status: info.status, decision: info.decision });
  }

  callbackHandled(info: { outcome: string }): void {
    this.callbacks.inc({ outcome: info.outcome });
  }
}
