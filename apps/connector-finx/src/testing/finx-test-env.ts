import { createKafka, provisionTopics } from '@finmesh/kafka';
import { topicSpecs } from '@finmesh/schemas';
import {
  createTestDatabase,
  EventCollector,
  freePort,
  startAppProcess,
  startProviderSandbox,
  testEnvironment,
  testTopicPrefix,
  type SandboxProcess,
  type SandboxProcessOptions,
} from '@finmesh/testing';
import { loadFinxConfig, type FinxConfig } from '../config';

/** apps/ledger as a separate process (apps never import apps), on its own database. */
export interface LedgerProcess {
  url: string;
  get<T>(path: string): Promise<T>;
  stop(): Promise<void>;
}

export async function startLedgerProcess(options: { brokers: string[]; prefix: string; suite: string }): Promise<LedgerProcess> {
  const ledger = await startAppProcess('ledger', {
    env: {
      DATABASE_URL: await createTestDatabase(`${options.suite}-ledger`),
      KAFKA_BROKERS: options.brokers.join(','),
      KAFKA_TOPIC_PREFIX: options.prefix,
      LEDGER_CONSUMER_GROUP: `${options.prefix}ledger`,
    },
  });
  const get = async <T>(path: string): Promise<T> => {
    const response = await fetch(`${ledger.url}${path}`);
    if (!response.ok) throw new Error(`ledger GET ${path}: HTTP ${response.status} ${await response.text()}`);
    return (await response.json()) as T;
  };
  return { url: ledger.url, get, stop: () => ledger.stop() };
}

export interface FinxTestEnvironment {
  sandbox: SandboxProcess;
  finxBaseUrl: string;
  prefix: string;
  brokers: string[];
  collector: EventCollector;
  config(overrides?: Record<string, string>): Promise<FinxConfig>;
  stop(): Promise<void>;
}

/** One suite's real parts: the sandbox process, the connector's database, provisioned topics and an event reader. */
export async function startFinxTestEnvironment(suite: string, sandboxOptions: SandboxProcessOptions = {}): Promise<FinxTestEnvironment> {
  const env = testEnvironment();
  const prefix = testTopicPrefix(suite);
  const [sandbox, databaseUrl] = await Promise.all([startProviderSandbox({ seed: suite, ...sandboxOptions }), createTestDatabase(suite)]);
  const admin = createKafka({ brokers: env.kafkaBrokers, clientId: `${prefix}admin` }).admin();
  await admin.connect();
  await provisionTopics(admin, topicSpecs(prefix));
  await admin.disconnect();
  const collector = await EventCollector.start(env.kafkaBrokers, prefix, ['balance.updated', 'transaction.posted', 'account.closed', 'ledger.discrepancy']);
  const finxBaseUrl = sandbox.baseUrls['finx'];
  if (finxBaseUrl === undefined) throw new Error('the sandbox has no Fin X base URL');
  return {
    sandbox,
    finxBaseUrl,
    prefix,
    brokers: env.kafkaBrokers,
    collector,
    config: async (overrides = {}) =>
      loadFinxConfig({
        PORT: String(await freePort()),
        DATABASE_URL: databaseUrl,
        KAFKA_BROKERS: env.kafkaBrokers.join(','),
        KAFKA_TOPIC_PREFIX: prefix,
        HOST: '127.0.0.1',
        LOG_LEVEL: 'silent',
        FINX_BASE_URL: finxBaseUrl,
        FINX_API_TOKEN: 'finx-sandbox-token',
        SYNC_ENABLED: 'false',
        PROVIDER_RETRY_INITIAL_MS: '20',
        PROVIDER_RETRY_MAX_MS: '200',
        ...overrides,
      }),
    stop: async () => {
      await collector.stop();
      await sandbox.stop();
    },
  };
}
