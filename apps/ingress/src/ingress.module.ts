import { Logger, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { createKafka, type BatchConsumer, type KafkaBatchServer } from '@finmesh/kafka';
import {
  HealthModule,
  kafkaReadinessCheck,
  LoggingModule,
  MetricsModule,
  postgresReadinessCheck,
} from '@finmesh/service-runtime';
import type { Kafka } from 'kafkajs';
import { CallbackReplayer } from './admin/callback-replayer';
import { storableHeaders } from './callbacks/callback-event';
import { CallbackIntake } from './callbacks/callback-intake';
import { CallbackPublisher } from './callbacks/callback-publisher';
import { CallbackStore } from './callbacks/callback-store';
import { INDODAX_WITHDRAW_SOURCE, type IngressConfig } from './config';
import { CallbacksController } from './http/callbacks.controller';
import { IngressExceptionFilter } from './http/ingress-exception.filter';
import { RateLimiter } from './http/rate-limiter';
import { IngressMetrics } from './ingress-metrics';
import { INGRESS_CONFIG, PRODUCER_KAFKA } from './ingress-tokens';
import { IngressDatabase } from './persistence/ingress-database';
import { RetentionJob } from './persistence/retention';
import { IndexoSource, maskNotificationToken } from './sources/indexo-source';
import { IndodaxWithdrawalSource } from './sources/indodax-withdrawal-source';
import { IngressSources } from './sources/ingress-sources';
import { XenditSource } from './sources/xendit-source';
import { ExpectedWithdrawalStore } from './withdrawals/expected-withdrawals';
import { WithdrawalEventsController } from './withdrawals/withdrawal-events.controller';
import { WithdrawalWaiter } from './withdrawals/withdrawal-waiter';

/** What tests (and only tests) replace. */
export interface IngressOverrides {
  /** The producer's Kafka client: tests point it at a closed port to take the broker away for real. */
  producerKafka?: Kafka;
  /** The clock of signature timestamps. */
  now?: () => Date;
}

/** Set once the Kafka consumer is created (it lives outside the module, as a Nest transport). */
export class ConsumerHandle {
  server: KafkaBatchServer | undefined;
}

/** Closes what the ingress opened, in dependency order, after the HTTP server has stopped. */
class IngressLifecycle implements OnApplicationShutdown {
  constructor(
    private readonly retention: RetentionJob,
    private readonly waiter: WithdrawalWaiter,
    private readonly publisher: CallbackPublisher,
    private readonly database: IngressDatabase,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    await this.retention.stop();
    await this.waiter.close();
    await this.publisher.close();
    await this.database.close();
  }
}

function logTo(logger: Logger) {
  return (level: 'info' | 'warn' | 'error', message: string, extra?: Record<string, unknown>): void => {
    const entry = extra === undefined ? message : { ...extra, msg: message };
    switch (level) {
      case 'info':
        logger.log(entry);
        return;
      case 'warn':
        logger.warn(entry);
        return;
      case 'error':
        logger.error(entry);
        return;
    }
  };
}

/** Everything the routes and the consumer share; global so the health module can inject it. */
@Module({})
class IngressCoreModule {
  static forRoot(config: IngressConfig, overrides: IngressOverrides): DynamicModule {
    const log = logTo(new Logger('Ingress'));
    return {
      module: IngressCoreModule,
      global: true,
      providers: [
        { provide: INGRESS_CONFIG, useValue: config },
        {
          provide: PRODUCER_KAFKA,
          useValue:
            overrides.producerKafka ??
            createKafka({ brokers: config.KAFKA_BROKERS, clientId: config.KAFKA_CLIENT_ID, log: (level, message) => log(level === 'debug' ? 'info' : level, message) }),
        },
        { provide: ConsumerHandle, useValue: new ConsumerHandle() },
        { provide: RateLimiter, useValue: new RateLimiter() },
        IngressMetrics,
        IngressExceptionFilter,
        {
          provide: IngressDatabase,
          useFactory: () =>
            IngressDatabase.open({
              url: config.DATABASE_URL,
              poolSize: config.INGRESS_DB_POOL_SIZE,
              runMigrations: config.INGRESS_RUN_MIGRATIONS,
              log: (message, extra) => log('info', message, extra),
            }),
        },
        {
          provide: CallbackPublisher,
          inject: [PRODUCER_KAFKA],
          useFactory: async (kafka: Kafka) => {
            const publisher = new CallbackPublisher(kafka, {
              topicPrefix: config.KAFKA_TOPIC_PREFIX,
              lingerMs: config.INGRESS_PUBLISH_LINGER_MS,
              initialConnectTimeoutMs: config.INGRESS_KAFKA_CONNECT_WAIT_MS,
              log,
            });
            await publisher.start();
            return publisher;
          },
        },
        {
          provide: CallbackStore,
          inject: [IngressDatabase, IngressMetrics],
          useFactory: (database: IngressDatabase, metrics: IngressMetrics) =>
            new CallbackStore(database.durable, database.bookkeeping, {
              // Longer than any publish may take, so a live attempt is never taken over.
              leaseMs: Math.max(10_000, 3 * config.INGRESS_PUBLISH_TIMEOUT_MS),
              onBatch: (operation, size) => metrics.storeBatchSize.observe({ operation }, size),
            }),
        },
        {
          provide: ExpectedWithdrawalStore,
          inject: [IngressDatabase],
          useFactory: (database: IngressDatabase) => new ExpectedWithdrawalStore(database.durable),
        },
        {
          provide: WithdrawalWaiter,
          inject: [ExpectedWithdrawalStore, IngressMetrics],
          useFactory: async (store: ExpectedWithdrawalStore, metrics: IngressMetrics) => {
            const waiter = new WithdrawalWaiter(store, {
              databaseUrl: config.DATABASE_URL,
              log,
              onWaitingChange: (waiting) => metrics.indodaxWaiting.set(waiting),
            });
            await waiter.start();
            return waiter;
          },
        },
        {
          provide: CallbackIntake,
          inject: [CallbackStore, CallbackPublisher, IngressMetrics],
          useFactory: (store: CallbackStore, publisher: CallbackPublisher, metrics: IngressMetrics) =>
            new CallbackIntake(store, publisher, {
              publishTimeoutMs: config.INGRESS_PUBLISH_TIMEOUT_MS,
              retryAfterSeconds: config.INGRESS_RETRY_AFTER_SECONDS,
              log,
              onStage: (stage, seconds) => metrics.stageDuration.observe({ stage }, seconds),
            }),
        },
        {
          provide: IngressSources,
          inject: [WithdrawalWaiter, CallbackStore, IngressMetrics],
          useFactory: (waiter: WithdrawalWaiter, store: CallbackStore, metrics: IngressMetrics) => {
            const indodax = new IndodaxWithdrawalSource(waiter, {
              waitMs: config.INGRESS_INDODAX_WAIT_MS,
              onWaited: (outcome, seconds) => metrics.indodaxWait.observe({ outcome }, seconds),
              onRejected: async (rejection, incoming) => {
                log('warn', 'Indodax withdrawal not confirmed', {
                  reason: rejection.reason,
                  detail: rejection.detail,
                  correlationId: incoming.correlationId,
                });
                await store
                  .recordRejection({
                    source: INDODAX_WITHDRAW_SOURCE,
                    reason: rejection.reason,
                    detail: rejection.detail,
                    idempotencyKey: rejection.requestId,
                    receivedAt: incoming.receivedAt,
                    correlationId: incoming.correlationId,
                    contentType: incoming.contentType,
                    headers: storableHeaders(incoming.headers),
                    body: incoming.body,
                  })
                  .catch((error: unknown) => log('error', `could not record a rejected withdrawal callback: ${String(error)}`));
              },
            });
            const xendit = config.INGRESS_XENDIT_CALLBACK_TOKENS && new XenditSource(config.INGRESS_XENDIT_CALLBACK_TOKENS);
            const indexo = config.INGRESS_INDEXO_NOTIFICATION_TOKENS && new IndexoSource(config.INGRESS_INDEXO_NOTIFICATION_TOKENS);
            return new IngressSources(config, indodax, xendit || undefined, indexo || undefined, overrides.now);
          },
        },
        {
          provide: CallbackReplayer,
          inject: [IngressDatabase, CallbackIntake, IngressMetrics],
          useFactory: (database: IngressDatabase, intake: CallbackIntake, metrics: IngressMetrics) =>
            new CallbackReplayer(database.dataSource, intake, metrics),
        },
        {
          provide: RetentionJob,
          inject: [CallbackStore],
          useFactory: (store: CallbackStore) => {
            const job = new RetentionJob(store, {
              windowDays: config.INGRESS_DEDUPE_WINDOW_DAYS,
              intervalMs: config.INGRESS_PURGE_INTERVAL_MS,
              log,
            });
            job.start();
            return job;
          },
        },
        {
          provide: IngressLifecycle,
          inject: [RetentionJob, WithdrawalWaiter, CallbackPublisher, IngressDatabase],
          useFactory: (retention: RetentionJob, waiter: WithdrawalWaiter, publisher: CallbackPublisher, database: IngressDatabase) =>
            new IngressLifecycle(retention, waiter, publisher, database),
        },
      ],
      exports: [
        INGRESS_CONFIG,
        PRODUCER_KAFKA,
        ConsumerHandle,
        RateLimiter,
        IngressMetrics,
        IngressExceptionFilter,
        IngressDatabase,
        CallbackPublisher,
        CallbackStore,
        ExpectedWithdrawalStore,
        CallbackIntake,
        IngressSources,
        CallbackReplayer,
      ],
    };
  }
}

/** The ingress application module: the routes, the consumer's handler, logging, metrics, health. */
@Module({})
export class IngressModule {
  static forRoot(config: IngressConfig, overrides: IngressOverrides = {}): DynamicModule {
    const core = IngressCoreModule.forRoot(config, overrides);
    return {
      module: IngressModule,
      imports: [
        LoggingModule.forRoot({
          service: 'ingress',
          level: config.LOG_LEVEL,
          // The INDEXO notification URI carries its secret as the last path segment.
          redactPath: maskNotificationToken,
        }),
        MetricsModule.forRoot({ prefix: 'finmesh_ingress_', defaultLabels: { service: 'ingress' } }),
        core,
        HealthModule.forRootAsync({
          imports: [core],
          inject: [PRODUCER_KAFKA, IngressDatabase, ConsumerHandle],
          useFactory: (kafka: Kafka, database: IngressDatabase, consumer: ConsumerHandle) => [
            kafkaReadinessCheck(kafka),
            postgresReadinessCheck(database.durable),
            {
              name: 'withdrawal-consumer',
              check: () => {
                const server = consumer.server;
                let running = false;
                try {
                  running = server !== undefined && server.unwrap<BatchConsumer>().isRunning;
                } catch {
                  running = false; // unwrap throws until the transport listens
                }
                return running ? Promise.resolve() : Promise.reject(new Error('the payment-status-changed consumer is not running'));
              },
            },
          ],
        }),
      ],
      controllers: [CallbacksController, WithdrawalEventsController],
    };
  }
}
