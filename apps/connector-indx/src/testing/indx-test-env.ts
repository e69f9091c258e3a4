import { createServer } from 'node:net';
import { createKafka, provisionTopics } from '@finmesh/kafka';
import { parseConsumedEvent, TOPICS, topicName, topicSpecs, type FinmeshEvent } from '@finmesh/schemas';
import { createTestDatabase, expectEventually, startProviderSandbox, testEnvironment, testTopicPrefix, type SandboxProcess, type SandboxProcessOptions } from '@finmesh/testing';
import type { Consumer } from 'kafkajs';
import { loadIndxConfig, type IndxConfig } from '../config';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no free port'))));
    });
  });
}

/** Reads every event the connector publishes on the suite's topics. */
export class EventCollector {
  readonly events: FinmeshEvent[] = [];
  private constructor(private readonly consumer: Consumer) {}

  static async start(brokers: string[], prefix: string): Promise<EventCollector> {
    const consumer = createKafka({ brokers, clientId: `${prefix}collector` }).consumer({ groupId: `${prefix}collector`, maxWaitTimeInMs: 100 });
    const collector = new EventCollector(consumer);
    await consumer.connect();
    await consumer.subscribe({
      topics: (['balance.updated', 'transaction.posted', 'payment.status_changed'] as const).map((type) => topicName(TOPICS[type].baseName, prefix)),
      fromBeginning: true,
    });
    await consumer.run({
      eachMessage: ({ topic, message }) => {
        collector.events.push(parseConsumedEvent(topic, message.value));
        return Promise.resolve();
      },
    });
    return collector;
  }

  of<Type extends FinmeshEvent['type']>(type: Type): Array<Extract<FinmeshEvent, { type: Type }>> {
    return this.events.filter((event): event is Extract<FinmeshEvent, { type: Type }> => event.type === type);
  }

  /** Waits until at least `count` events arrived (Kafka delivers asynchronously). */
  async waitForCount(count: number, timeoutMs = 30_000): Promise<void> {
    await expectEventually(() => expect(this.events.length).toBeGreaterThanOrEqual(count), { timeoutMs, intervalMs: 50 });
  }

  stop(): Promise<void> {
    return this.consumer.disconnect();
  }
}

export interface IndxTestEnvironment {
  sandbox: SandboxProcess;
  databaseUrl: string;
  prefix: string;
  brokers: string[];
  collector: EventCollector;
  /** The connector's environment for this suite, with overrides. */
  connectorEnv(overrides?: Record<string, string>): Record<string, string>;
  config(overrides?: Record<string, string>): Promise<IndxConfig>;
  stop(): Promise<void>;
}

/** One suite's real parts: the sandbox process, a database, provisioned topics and an event reader. */
export async function startIndxTestEnvironment(suite: string, sandboxOptions: SandboxProcessOptions = {}): Promise<IndxTestEnvironment> {
  const env = testEnvironment();
  const prefix = testTopicPrefix(suite);
  const [sandbox, databaseUrl] = await Promise.all([startProviderSandbox({ seed: suite, ...sandboxOptions }), createTestDatabase(suite)]);
  const admin = createKafka({ brokers: env.kafkaBrokers, clientId: `${prefix}admin` }).admin();
  await admin.connect();
  await provisionTopics(admin, topicSpecs(prefix));
  await admin.disconnect();
  const collector = await EventCollector.start(env.kafkaBrokers, prefix);
  const indxBaseUrl = sandbox.baseUrls['indx'];
  if (indxBaseUrl === undefined) throw new Error('the sandbox has no INDX base URL');
  const connectorEnv = (overrides: Record<string, string> = {}): Record<string, string> => ({
    DATABASE_URL: databaseUrl,
    KAFKA_BROKERS: env.kafkaBrokers.join(','),
    KAFKA_TOPIC_PREFIX: prefix,
    HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
    INDX_BASE_URL: indxBaseUrl,
    INDX_API_KEY: 'indx-sandbox-key',
    INDX_API_SECRET: 'indx-sandbox-secret',
    SYNC_ENABLED: 'false',
    PROVIDER_RETRY_INITIAL_MS: '20',
    PROVIDER_RETRY_MAX_MS: '200',
    PAYMENTS_POLL_INTERVAL_MS: '100',
    ...overrides,
  });
  return {
    sandbox,
    databaseUrl,
    prefix,
    brokers: env.kafkaBrokers,
    collector,
    connectorEnv,
    config: async (overrides = {}) => loadIndxConfig({ PORT: String(await freePort()), ...connectorEnv(overrides) }),
    stop: async () => {
      await collector.stop();
      await sandbox.stop();
    },
  };
}
