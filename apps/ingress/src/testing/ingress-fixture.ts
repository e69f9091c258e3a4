import { randomBytes } from 'node:crypto';
import { createKafka, createIdempotentProducer, EventPublisher, provisionTopics } from '@finmesh/kafka';
import {
  createEvent,
  moneyFromDecimal,
  parseConsumedEvent,
  paymentRef,
  accountRef,
  topicSpecs,
  TOPICS,
  type CallbackReceivedEvent,
  type IndodaxWithdrawal,
  type PaymentStatusChangedEvent,
} from '@finmesh/schemas';
import { generateStandardWebhookSecret, signStandardWebhook } from '@finmesh/signing';
import { createTestDatabase, testEnvironment, testTopicPrefix } from '@finmesh/testing';
import type { Consumer, Kafka, Producer } from 'kafkajs';
import { request } from 'undici';
import { loadIngressConfig, type IngressConfig } from '../config';

/** Secrets of a test suite's ingress (never used anywhere else). */
export interface FixtureSecrets {
  acmeCurrent: string;
  acmePrevious: string;
  xenditToken: string;
  indexoToken: string;
  adminToken: string;
}

export function fixtureSecrets(): FixtureSecrets {
  return {
    acmeCurrent: generateStandardWebhookSecret(),
    acmePrevious: generateStandardWebhookSecret(),
    xenditToken: `xnd_${randomBytes(16).toString('hex')}`,
    indexoToken: randomBytes(24).toString('base64url'),
    adminToken: randomBytes(24).toString('hex'),
  };
}

export interface SuiteEnvironment {
  databaseUrl: string;
  topicPrefix: string;
  kafka: Kafka;
}

/** A database and a topic prefix private to the suite, with every registry topic provisioned. */
export async function suiteEnvironment(suite: string): Promise<SuiteEnvironment> {
  const env = testEnvironment();
  const topicPrefix = testTopicPrefix(suite);
  const kafka = createKafka({ brokers: env.kafkaBrokers, clientId: `${suite}-test` });
  const admin = kafka.admin();
  await admin.connect();
  try {
    await provisionTopics(admin, topicSpecs(topicPrefix));
  } finally {
    await admin.disconnect();
  }
  return { databaseUrl: await createTestDatabase(suite), topicPrefix, kafka };
}

/** The ingress configuration of a test: the suite's database and topics, random ports, quiet logs. */
export function testIngressConfig(
  environment: SuiteEnvironment,
  secrets: FixtureSecrets,
  extra: Record<string, string> = {},
): IngressConfig {
  const config = loadIngressConfig({
    KAFKA_BROKERS: testEnvironment().kafkaBrokers.join(','),
    KAFKA_TOPIC_PREFIX: environment.topicPrefix,
    DATABASE_URL: environment.databaseUrl,
    HOST: '127.0.0.1',
    INGRESS_ADMIN_HOST: '127.0.0.1',
    LOG_LEVEL: 'error',
    INGRESS_ADMIN_TOKEN: secrets.adminToken,
    INGRESS_CONSUMER_GROUP: `${environment.topicPrefix}ingress`,
    INGRESS_STANDARD_WEBHOOK_SOURCES: JSON.stringify({
      acme: {
        provider: 'indx',
        secrets: [
          { keyId: 'acme-2025', secret: secrets.acmeCurrent },
          { keyId: 'acme-2024', secret: secrets.acmePrevious },
        ],
        toleranceSeconds: 300,
      },
      trickle: { provider: 'finx', secrets: [secrets.acmeCurrent], rateLimitPerSecond: 2 },
    }),
    INGRESS_XENDIT_CALLBACK_TOKENS: secrets.xenditToken,
    INGRESS_INDEXO_NOTIFICATION_TOKENS: secrets.indexoToken,
    INGRESS_BODY_LIMIT_BYTES: String(64 * 1024),
    ...extra,
  });
  // Port 0: the operating system picks free ports, so suites never collide.
  return { ...config, PORT: 0, INGRESS_ADMIN_PORT: 0 };
}

export interface HttpAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/** A plain HTTP call, over the network, to the running ingress. */
export async function post(url: string, headers: Record<string, string>, body: string | Buffer): Promise<HttpAnswer> {
  const response = await request(url, { method: 'POST', headers, body });
  return { status: response.statusCode, headers: response.headers, text: await response.body.text() };
}

export async function get(url: string, headers: Record<string, string> = {}): Promise<HttpAnswer> {
  const response = await request(url, { method: 'GET', headers });
  return { status: response.statusCode, headers: response.headers, text: await response.body.text() };
}

/** A Standard Webhooks request, signed with the given secrets at `timestamp`. */
export function standardWebhook<Body extends string | Buffer>(
  body: Body,
  secrets: readonly string[],
  options: { id?: string; timestamp?: Date } = {},
): { headers: Record<string, string>; body: Body } {
  const signed = signStandardWebhook(
    { id: options.id ?? `msg_${randomBytes(8).toString('hex')}`, timestamp: options.timestamp ?? new Date(), body },
    secrets,
  );
  return { headers: { 'content-type': 'application/json', ...signed }, body };
}

/** How many messages the suite's callback.received topic holds (all partitions). */
export async function callbackTopicSize(environment: SuiteEnvironment): Promise<number> {
  const admin = environment.kafka.admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(`${environment.topicPrefix}${TOPICS['callback.received'].baseName}`);
    return offsets.reduce((sum, partition) => sum + Number(partition.high), 0);
  } finally {
    await admin.disconnect();
  }
}

/** Collects every callback.received event the ingress publishes in this suite. */
export class CallbackEvents {
  readonly events: CallbackReceivedEvent[] = [];
  private consumer: Consumer | undefined;

  constructor(private readonly environment: SuiteEnvironment) {}

  async start(): Promise<void> {
    const consumer = this.environment.kafka.consumer({ groupId: `${this.environment.topicPrefix}callback-reader` });
    this.consumer = consumer;
    await consumer.connect();
    await consumer.subscribe({
      topic: `${this.environment.topicPrefix}${TOPICS['callback.received'].baseName}`,
      fromBeginning: true,
    });
    await consumer.run({
      eachMessage: ({ topic, message }) => {
        const event = parseConsumedEvent(topic, message.value);
        if (event.type === 'callback.received') this.events.push(event);
        return Promise.resolve();
      },
    });
  }

  of(source: string, idempotencyKey: string): CallbackReceivedEvent[] {
    return this.events.filter((event) => event.data.sourceName === source && event.data.idempotencyKey === idempotencyKey);
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect();
  }
}

/** Publishes payment.status_changed events the way the Indodax connector announces a withdrawal. */
export class WithdrawalAnnouncer {
  private producer: Producer | undefined;
  private publisher: EventPublisher | undefined;

  constructor(private readonly environment: SuiteEnvironment) {}

  async start(): Promise<void> {
    this.producer = createIdempotentProducer(this.environment.kafka);
    await this.producer.connect();
    this.publisher = new EventPublisher(this.producer, { topicPrefix: this.environment.topicPrefix, lingerMs: 1 });
  }

  async announce(withdrawal: IndodaxWithdrawal): Promise<PaymentStatusChangedEvent> {
    if (!this.publisher) throw new Error('the announcer is not started');
    const now = new Date().toISOString();
    const event = createEvent('payment.status_changed', {
      provider: 'indodax',
      source: 'command',
      occurredAt: now,
      observedAt: now,
      account: accountRef('indodax', 'main'),
      payment: paymentRef('indodax', withdrawal.requestId),
      correlationId: `withdraw-${withdrawal.requestId}`,
      data: {
        amount: moneyFromDecimal(withdrawal.amount, `${withdrawal.currency.toUpperCase()}/8`),
        status: 'accepted',
        rawStatus: { scheme: 'indodax.withdraw', code: 'approved' },
        withdrawal,
      },
    });
    await this.publisher.publish([event]);
    return event;
  }

  async stop(): Promise<void> {
    await this.producer?.disconnect();
  }
}

export function uniqueRequestId(): string {
  return `wd${randomBytes(8).toString('hex')}`;
}
