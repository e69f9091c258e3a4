import 'reflect-metadata';
import { Logger as NestLogger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createKafka, KafkaBatchServer, provisionTopics } from '@finmesh/kafka';
import { topicSpecs } from '@finmesh/schemas';
import { createFastifyAdapter, createLogger } from '@finmesh/service-runtime';
import { Logger } from 'nestjs-pino';
import { AdminServer } from './admin/admin-server';
import { CallbackReplayer } from './admin/callback-replayer';
import type { IngressConfig } from './config';
import { registerRawBodyParsers } from './http/body-parsers';
import { IngressExceptionFilter } from './http/ingress-exception.filter';
import { ConsumerHandle, IngressModule, type IngressOverrides } from './ingress.module';

export interface RunningIngress {
  app: NestFastifyApplication;
  /** The public URL (callbacks, health, metrics). */
  url: string;
  /** The admin server (replay), when INGRESS_ADMIN_TOKEN is set, and its URL. */
  admin: AdminServer | undefined;
  adminUrl: string | undefined;
  close(): Promise<void>;
}

/**
 * Boots the ingress: topics (when asked), the Nest application on Fastify with raw-body parsers,
 * the payment-status-changed consumer (Kafka batch transport), the public listener and, with an
 * admin token, the admin listener. Migrations run while the module initialises.
 */
export async function startIngress(config: IngressConfig, overrides: IngressOverrides = {}): Promise<RunningIngress> {
  const log = createLogger({ service: 'ingress', level: config.LOG_LEVEL });
  if (config.KAFKA_PROVISION_TOPICS) {
    const admin = createKafka({ brokers: config.KAFKA_BROKERS, clientId: config.KAFKA_CLIENT_ID }).admin();
    await admin.connect();
    try {
      const result = await provisionTopics(admin, topicSpecs(config.KAFKA_TOPIC_PREFIX));
      log.info({ created: result.created }, 'topics provisioned');
    } finally {
      await admin.disconnect();
    }
  }

  const adapter = createFastifyAdapter({ bodyLimit: config.INGRESS_BODY_LIMIT_BYTES });
  registerRawBodyParsers(adapter, config.INGRESS_BODY_LIMIT_BYTES);
  const app = await NestFactory.create<NestFastifyApplication>(IngressModule.forRoot(config, overrides), adapter, {
    bufferLogs: true,
    bodyParser: false,
  });
  app.useLogger(app.get(Logger));
  app.useGlobalFilters(app.get(IngressExceptionFilter));

  const consumerLog = new NestLogger('WithdrawalConsumer');
  const server = new KafkaBatchServer({
    kafka: createKafka({ brokers: config.KAFKA_BROKERS, clientId: `${config.KAFKA_CLIENT_ID}-consumer` }),
    groupId: config.INGRESS_CONSUMER_GROUP,
    topicPrefix: config.KAFKA_TOPIC_PREFIX,
    log: {
      info: (message, extra) => consumerLog.log({ ...extra, msg: message }),
      warn: (message, extra) => consumerLog.warn({ ...extra, msg: message }),
      error: (message, extra) => consumerLog.error({ ...extra, msg: message }),
    },
  });
  app.get(ConsumerHandle).server = server;
  app.connectMicroservice({ strategy: server });

  let admin: AdminServer | undefined;
  let adminUrl: string | undefined;
  try {
    await app.startAllMicroservices();
    await app.listen(config.PORT, config.HOST);
    if (config.INGRESS_ADMIN_TOKEN !== undefined) {
      admin = new AdminServer(app.get(CallbackReplayer), {
        host: config.INGRESS_ADMIN_HOST,
        port: config.INGRESS_ADMIN_PORT,
        token: config.INGRESS_ADMIN_TOKEN,
        log: (message, extra) => log.info(extra ?? {}, message),
      });
      adminUrl = await admin.start();
    }
  } catch (error: unknown) {
    await admin?.close().catch(() => undefined);
    await app.close();
    throw error;
  }
  const url = await app.getUrl();
  log.info({ url, admin: admin !== undefined }, 'ingress ready');
  return {
    app,
    url,
    admin,
    adminUrl,
    close: async () => {
      await admin?.close();
      await app.close();
    },
  };
}
