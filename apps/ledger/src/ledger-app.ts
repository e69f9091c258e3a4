import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { createKafka, KafkaBatchServer, provisionRegistryTopics } from '@finmesh/kafka';
import { redactDatabaseUrl, runMigrations } from '@finmesh/persistence';
import { createLogger } from '@finmesh/service-runtime';
import { Logger } from 'nestjs-pino';
import type { LedgerConfig } from './config/ledger-config';
import { LedgerMetrics } from './consumer/ledger-metrics';
import { createLedgerDataSource } from './ledger/ledger-database';
import { LedgerModule } from './ledger.module';

/** Boots the ledger: migrations, topics (when asked), the Kafka batch consumer and the HTTP API. */
export async function bootstrapLedger(config: LedgerConfig): Promise<NestFastifyApplication> {
  const log = createLogger({ service: 'ledger', level: config.LOG_LEVEL });
  if (config.LEDGER_RUN_MIGRATIONS) {
    const dataSource = createLedgerDataSource(config.DATABASE_URL, 2);
    await dataSource.initialize();
    try {
      const applied = await runMigrations(dataSource);
      log.info({ applied, database: redactDatabaseUrl(config.DATABASE_URL) }, 'migrations applied');
    } finally {
      await dataSource.destroy();
    }
  }
  if (config.KAFKA_PROVISION_TOPICS) {
    const kafka = createKafka({ brokers: config.KAFKA_BROKERS, clientId: config.KAFKA_CLIENT_ID });
    const result = await provisionRegistryTopics(kafka, config.KAFKA_TOPIC_PREFIX);
    log.info({ created: result.created }, 'topics provisioned');
  }

  const app = await NestFactory.create<NestFastifyApplication>(LedgerModule.forRoot(config), new FastifyAdapter(), {
    bufferLogs: true,
  });
  app.useLogger(app.get(Logger));
  app.enableShutdownHooks();

  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('finmesh ledger')
      .setDescription('Double-entry ledger of the providers’ money: accounts, balances, journals, payments, discrepancies.')
      .setVersion('1')
      .build(),
  );
  SwaggerModule.setup('docs', app, document, { swaggerUiEnabled: false, jsonDocumentUrl: 'openapi.json', raw: ['json'] });

  const metrics = app.get(LedgerMetrics);
  app.connectMicroservice(
    {
      strategy: new KafkaBatchServer({
        kafka: createKafka({ brokers: config.KAFKA_BROKERS, clientId: `${config.KAFKA_CLIENT_ID}-consumer` }),
        groupId: config.LEDGER_CONSUMER_GROUP,
        topicPrefix: config.KAFKA_TOPIC_PREFIX,
        maxAttempts: config.LEDGER_MAX_ATTEMPTS,
        partitionsConsumedConcurrently: config.LEDGER_PARTITIONS_CONCURRENCY,
        onBatchProcessed: (info) => metrics.recordCommitted(info),
        log: {
          info: (message, extra) => log.info(extra ?? {}, message),
          warn: (message, extra) => log.warn(extra ?? {}, message),
          error: (message, extra) => log.error(extra ?? {}, message),
        },
      }),
    },
    { inheritAppConfig: true },
  );
  await app.startAllMicroservices();
  await app.listen(config.PORT, config.HOST);
  log.info({ url: await app.getUrl() }, 'ledger ready');
  return app;
}

