import { Module, type DynamicModule, type OnApplicationBootstrap, type OnApplicationShutdown, Inject } from '@nestjs/common';
import { createIdempotentProducer, createKafka, EventPublisher } from '@finmesh/kafka';
import {
  HealthModule,
  kafkaReadinessCheck,
  LoggingModule,
  MetricsModule,
  MetricsService,
  postgresReadinessCheck,
} from '@finmesh/service-runtime';
import type { Kafka, Producer } from 'kafkajs';
import { Pool } from 'pg';
import { LedgerController } from './api/ledger.controller';
import { LedgerQueries } from './api/ledger-queries';
import type { LedgerConfig } from './config/ledger-config';
import { LedgerEventsController } from './consumer/ledger-events.controller';
import { LedgerMetrics } from './consumer/ledger-metrics';
import { LedgerBatchProcessor } from './ledger/batch-processor';
import { LedgerCorrections } from './ledger/corrections';
import { OutboxRelay } from './outbox/outbox-relay';

export const LEDGER_CONFIG = Symbol('ledger-config');
export const LEDGER_POOL = Symbol('ledger-pg-pool');
export const LEDGER_KAFKA = Symbol('ledger-kafka');
export const LEDGER_PRODUCER = Symbol('ledger-producer');

/** Starts the outbox relay once the producer is connected, and closes what the module opened. */
class LedgerLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(
    @Inject(LEDGER_PRODUCER) private readonly producer: Producer,
    @Inject(OutboxRelay) private readonly relay: OutboxRelay,
    @Inject(LEDGER_POOL) private readonly pool: Pool,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.producer.connect();
    this.relay.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.relay.stop();
    await this.producer.disconnect();
    await this.pool.end();
  }
}

/** The ledger service: Kafka batch consumption, the outbox relay, the query API, health and metrics. */
@Module({})
export class LedgerModule {
  static forRoot(config: LedgerConfig): DynamicModule {
    const metricsService = new MetricsService({ prefix: 'finmesh_ledger_', defaultLabels: { service: 'ledger' } });
    const pool = new Pool({ connectionString: config.DATABASE_URL, max: config.LEDGER_DB_POOL_SIZE, application_name: 'finmesh-ledger' });
    const kafka = createKafka({ brokers: config.KAFKA_BROKERS, clientId: config.KAFKA_CLIENT_ID });
    return {
      module: LedgerModule,
      imports: [
        LoggingModule.forRoot({ service: 'ledger', level: config.LOG_LEVEL }),
        MetricsModule.forRoot(metricsService),
        HealthModule.forRoot([kafkaReadinessCheck(kafka), postgresReadinessCheck(pool)]),
      ],
      controllers: [LedgerController, LedgerEventsController],
      providers: [
        { provide: LEDGER_CONFIG, useValue: config },
        { provide: LEDGER_POOL, useValue: pool },
        { provide: LEDGER_KAFKA, useValue: kafka },
        { provide: LEDGER_PRODUCER, useFactory: (k: Kafka) => createIdempotentProducer(k), inject: [LEDGER_KAFKA] },
        { provide: LedgerMetrics, useFactory: (m: MetricsService) => new LedgerMetrics(m.registry), inject: [MetricsService] },
        { provide: LedgerBatchProcessor, useFactory: (p: Pool) => new LedgerBatchProcessor(p), inject: [LEDGER_POOL] },
        { provide: LedgerQueries, useFactory: (p: Pool) => new LedgerQueries(p), inject: [LEDGER_POOL] },
        { provide: LedgerCorrections, useFactory: (p: Pool) => new LedgerCorrections(p), inject: [LEDGER_POOL] },
        {
          provide: OutboxRelay,
          useFactory: (p: Pool, producer: Producer, metrics: LedgerMetrics) =>
            new OutboxRelay(p, new EventPublisher(producer, { topicPrefix: config.KAFKA_TOPIC_PREFIX }), {
              onPublished: (count) => metrics.outboxPublished.inc(count),
            }),
          inject: [LEDGER_POOL, LEDGER_PRODUCER, LedgerMetrics],
        },
        LedgerLifecycle,
      ],
    };
  }
}
