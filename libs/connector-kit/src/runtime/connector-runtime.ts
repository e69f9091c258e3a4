import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { createIdempotentProducer, createKafka, DeadLetterPublisher, EventPublisher, provisionTopics } from '@finmesh/kafka';
import { createDataSource, redactDatabaseUrl, runMigrations } from '@finmesh/persistence';
import { topicSpecs } from '@finmesh/schemas';
import { createLogger, kafkaReadinessCheck, MetricsService, postgresReadinessCheck, type ReadinessCheck } from '@finmesh/service-runtime';
import type { Kafka, Producer } from 'kafkajs';
import { Pool } from 'pg';
import type { DataSource, EntitySchema } from 'typeorm';
import { CallbackConsumer } from '../callbacks/callback-consumer';
import { syncIntervals, type ConnectorKitConfig } from '../config/connector-config';
import type { ResourceReader } from '../contract/capabilities';
import type { Connector } from '../contract/connector';
import { ResilientHttpClient, type ResilientHttpClientOptions } from '../http/resilient-http-client';
import { pinoConnectorLogger, type ConnectorLogger } from '../logging';
import { ConnectorMetrics } from '../metrics/connector-metrics';
import { CONNECTOR_KIT_ENTITIES, SyncStateEntity } from '../persistence/entities';
import { CONNECTOR_KIT_MIGRATIONS } from '../persistence/migrations';
import { PaymentTracker } from '../payments/payment-tracker';
import { PaymentsService } from '../payments/payments-service';
import { ConnectorPublisher } from '../publishing/connector-publisher';
import { ResourceStore } from '../resources/resource-store';
import { SyncEngine } from '../sync/sync-engine';
import { PostgresSyncLeases } from '../sync/sync-lease';

/** What the client options of a provider need from the connector; the kit adds timeouts, retries, limits and metrics from the configuration. */
export type ProviderClientOptions = Pick<ResilientHttpClientOptions, 'provider' | 'baseUrl' | 'sign' | 'describeError' | 'maxResponseBytes'>;

/** The building blocks a connector is made from. */
export interface ConnectorKit {
  /** The provider's HTTP client with the configured timeouts, retries, circuit breaker, rate limits and metrics. */
  createHttpClient(options: ProviderClientOptions): ResilientHttpClient;
  resources: ResourceReader;
  log: ConnectorLogger;
}

// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type -- TypeORM's own type for migration classes
type MigrationList = Array<Function | string>;
// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type -- TypeORM's own type for entity classes
type EntityList = Array<Function | string | EntitySchema>;

export interface ConnectorServiceOptions {
  /** The service name in logs and metrics (`connector-indx`). */
  service: string;
  config: ConnectorKitConfig;
  createConnector(kit: ConnectorKit): Connector;
  /** The connector's own tables, if it has any. */
  migrations?: MigrationList;
  entities?: EntityList;
}

/**
 * Everything a connector service runs, wired from its configuration: PostgreSQL (TypeORM for
 * migrations and entity reads, a pg pool for transactional work), Kafka (idempotent producer,
 * publisher, DLQ), the provider client factory, the sync engine, payments with their tracker and
 * the callback consumer. The NestJS module serves it; tests may use it directly.
 */
export class ConnectorRuntime {
  readonly metricsService: MetricsService;
  readonly metrics: ConnectorMetrics;
  readonly log: ConnectorLogger;
  readonly connector: Connector;
  readonly engine: SyncEngine;
  readonly payments: PaymentsService;
  readonly tracker: PaymentTracker;
  readonly callbacks: CallbackConsumer;
  readonly resources: ResourceStore;
  readonly readinessChecks: readonly ReadinessCheck[];
  private readonly clients: ResilientHttpClient[] = [];
  private started = false;

  private constructor(
    readonly options: ConnectorServiceOptions,
    readonly dataSource: DataSource,
    readonly pool: Pool,
    readonly kafka: Kafka,
    private readonly producer: Producer,
    logger: ConnectorLogger,
  ) {
    const { config } = options;
    this.log = logger;
    this.metricsService = new MetricsService({ prefix: 'finmesh_connector_', defaultLabels: { service: options.service } });
    this.metrics = new ConnectorMetrics(this.metricsService, async () => {
      const rows = await dataSource.getRepository(SyncStateEntity).findBy({ connector: this.connector.name });
      return rows.map((row) => ({ resource: row.resource, lastSuccessAt: row.lastSuccessAt }));
    });
    const kit: ConnectorKit = {
      createHttpClient: (clientOptions) => this.createHttpClient(clientOptions),
      resources: {
        list: (kind, listOptions) => this.resources.list(kind, listOptions),
        get: (kind, id) => this.resources.get(kind, id),
      },
      log: logger,
    };
    this.connector = options.createConnector(kit);
    this.resources = new ResourceStore(dataSource, this.connector.name);
    const publisher = new ConnectorPublisher(new EventPublisher(producer, { topicPrefix: config.KAFKA_TOPIC_PREFIX }), this.connector.provider, this.metrics);
    const holder = config.CONNECTOR_INSTANCE_ID ?? `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
    this.engine = new SyncEngine({
      connector: this.connector,
      leases: new PostgresSyncLeases({ databaseUrl: config.DATABASE_URL, connector: this.connector.name, holder, applicationName: `${options.service}-sync` }),
      holder,
      resourceReader: this.resources,
      resourceWriter: this.resources,
      publisher,
      intervalsMs: syncIntervals(config, this.connector.syncIntervalsMs),
      jitterRatio: config.SYNC_JITTER_PERCENT / 100,
      leaseRetryMs: config.SYNC_LEASE_RETRY_MS,
      failureBackoff: { initialMs: config.SYNC_RETRY_INITIAL_MS, maxMs: config.SYNC_RETRY_MAX_MS },
      log: logger,
      observer: this.metrics,
    });
    this.payments = new PaymentsService({
      connector: this.connector,
      pool,
      publisher,
      resources: this.resources,
      firstCheckAfterMs: config.PAYMENTS_POLL_INTERVAL_MS,
      log: logger,
      observer: this.metrics,
    });
    this.tracker = new PaymentTracker({ connector: this.connector, payments: this.payments, pollIntervalMs: config.PAYMENTS_POLL_INTERVAL_MS, log: logger });
    this.callbacks = new CallbackConsumer({
      connector: this.connector,
      kafka,
      groupId: config.CALLBACKS_CONSUMER_GROUP,
      topicPrefix: config.KAFKA_TOPIC_PREFIX,
      publisher,
      payments: this.payments,
      deadLetters: new DeadLetterPublisher(producer, config.CALLBACKS_CONSUMER_GROUP),
      log: logger,
      onTranslated: (info) => this.metrics.callbackHandled(info),
    });
    const probe = this.connector.probe;
    this.readinessChecks = [
      kafkaReadinessCheck(kafka),
      postgresReadinessCheck(pool),
      ...(probe
        ? [
            {
              name: 'provider',
              timeoutMs: Math.min(5_000, config.PROVIDER_RESPONSE_TIMEOUT_MS + config.PROVIDER_CONNECT_TIMEOUT_MS),
              check: () => probe(AbortSignal.timeout(config.PROVIDER_RESPONSE_TIMEOUT_MS + config.PROVIDER_CONNECT_TIMEOUT_MS)),
            },
          ]
        : []),
    ];
  }

  /** Connects to PostgreSQL (running migrations when configured) and prepares Kafka; starts nothing yet. */
  static async open(options: ConnectorServiceOptions): Promise<ConnectorRuntime> {
    const { config } = options;
    const pino = createLogger({ service: options.service, level: config.LOG_LEVEL });
    const log = pinoConnectorLogger(pino);
    const dataSource = createDataSource({
      url: config.DATABASE_URL,
      applicationName: options.service,
      entities: [...CONNECTOR_KIT_ENTITIES, ...(options.entities ?? [])],
      migrations: [...CONNECTOR_KIT_MIGRATIONS, ...(options.migrations ?? [])],
      migrationsTableName: `${options.service.replace(/-/g, '_')}_migrations`,
      poolSize: 3,
    });
    await dataSource.initialize();
    const pool = new Pool({ connectionString: config.DATABASE_URL, max: config.CONNECTOR_DB_POOL_SIZE, application_name: options.service });
    // An idle client that loses its connection emits 'error'; the pool replaces it.
    pool.on('error', () => undefined);
    try {
      if (config.CONNECTOR_RUN_MIGRATIONS) {
        const applied = await runMigrations(dataSource);
        log.info('migrations applied', { applied, database: redactDatabaseUrl(config.DATABASE_URL) });
      }
      const kafka = createKafka({
        brokers: config.KAFKA_BROKERS,
        clientId: config.KAFKA_CLIENT_ID,
        log: (level, message, extra) => log[level](message, extra),
      });
      if (config.KAFKA_PROVISION_TOPICS) {
        const admin = kafka.admin();
        await admin.connect();
        try {
          const result = await provisionTopics(admin, topicSpecs(config.KAFKA_TOPIC_PREFIX));
          log.info('topics provisioned', { created: result.created });
        } finally {
          await admin.disconnect();
        }
      }
      return new ConnectorRuntime(options, dataSource, pool, kafka, createIdempotentProducer(kafka), log);
    } catch (error: unknown) {
      await pool.end().catch(() => undefined);
      await dataSource.destroy().catch(() => undefined);
      throw error;
    }
  }

  /** Connects the producer and starts the schedule, the payment tracker and the callback consumer. */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    await this.producer.connect();
    if (this.options.config.SYNC_ENABLED) this.engine.start();
    this.tracker.start();
    await this.callbacks.start();
    this.log.info('connector started', {
      connector: this.connector.name,
      provider: this.connector.provider,
      capabilities: this.connector.capabilities,
      syncing: this.options.config.SYNC_ENABLED,
    });
  }

  async close(): Promise<void> {
    await this.engine.stop();
    await this.tracker.stop();
    await this.callbacks.stop();
    await this.producer.disconnect().catch(() => undefined);
    await Promise.all(this.clients.map((client) => client.close().catch(() => undefined)));
    await this.pool.end().catch(() => undefined);
    await this.dataSource.destroy().catch(() => undefined);
  }

  private createHttpClient(options: ProviderClientOptions): ResilientHttpClient {
    const { config } = this.options;
    const client = new ResilientHttpClient({
      ...options,
      timeouts: { connectMs: config.PROVIDER_CONNECT_TIMEOUT_MS, responseMs: config.PROVIDER_RESPONSE_TIMEOUT_MS },
      retry: { maxRetries: config.PROVIDER_MAX_RETRIES, initialDelayMs: config.PROVIDER_RETRY_INITIAL_MS, maxDelayMs: config.PROVIDER_RETRY_MAX_MS },
      circuitBreaker: { consecutiveFailures: config.PROVIDER_CIRCUIT_FAILURES, halfOpenAfterMs: config.PROVIDER_CIRCUIT_HALF_OPEN_MS },
      rateLimits: {
        provider: { requestsPerSecond: config.PROVIDER_RATE_LIMIT_PER_SECOND, burst: config.PROVIDER_RATE_LIMIT_BURST },
        endpoints: config.PROVIDER_ENDPOINT_RATE_LIMITS,
      },
      observer: this.metrics,
    });
    this.clients.push(client);
    return client;
  }
}
