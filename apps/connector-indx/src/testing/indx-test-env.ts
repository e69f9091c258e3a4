import { createKafka, provisionTopics } from '@finmesh/kafka';
import { topicSpecs } from '@finmesh/schemas';
import { createTestDatabase, EventCollector, freePort, startProviderSandbox, testEnvironment, testTopicPrefix, type SandboxProcess, type SandboxProcessOptions } from '@finmesh/testing';
import { loadIndxConfig, type IndxConfig } from '../config';

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
  const collector = await EventCollector.start(env.kafkaBrokers, prefix, ['balance.updated', 'transaction.posted', 'payment.status_changed']);
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
