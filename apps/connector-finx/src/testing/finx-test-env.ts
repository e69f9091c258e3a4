import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { createKafka, provisionTopics } from '@finmesh/kafka';
import { parseConsumedEvent, TOPICS, topicName, topicSpecs, type FinmeshEvent } from '@finmesh/schemas';
import { createTestDatabase, expectEventually, startProviderSandbox, testEnvironment, testTopicPrefix, type SandboxProcess, type SandboxProcessOptions } from '@finmesh/testing';
import type { Consumer } from 'kafkajs';
import { loadFinxConfig, type FinxConfig } from '../config';

const WORKSPACE_ROOT = resolve(__dirname, '..', '..', '..', '..');

export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolvePort(address.port) : reject(new Error('no free port'))));
    });
  });
}

/** Reads every event on the suite's balance, transaction, account-closed and discrepancy topics. */
export class EventCollector {
  readonly events: FinmeshEvent[] = [];
  private constructor(private readonly consumer: Consumer) {}

  static async start(brokers: string[], prefix: string): Promise<EventCollector> {
    const consumer = createKafka({ brokers, clientId: `${prefix}collector` }).consumer({ groupId: `${prefix}collector`, maxWaitTimeInMs: 100 });
    const collector = new EventCollector(consumer);
    await consumer.connect();
    await consumer.subscribe({
      topics: (['balance.updated', 'transaction.posted', 'account.closed', 'ledger.discrepancy'] as const).map((type) => topicName(TOPICS[type].baseName, prefix)),
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

  /** Waits until at least `count` events of the type arrived (Kafka delivers asynchronously). */
  async waitFor(type: FinmeshEvent['type'], count: number, timeoutMs = 30_000): Promise<void> {
    await expectEventually(() => expect(this.of(type).length).toBeGreaterThanOrEqual(count), { timeoutMs, intervalMs: 50 });
  }

  stop(): Promise<void> {
    return this.consumer.disconnect();
  }
}

/** apps/ledger as a separate process (apps never import apps), on its own database. */
export interface LedgerProcess {
  url: string;
  get<T>(path: string): Promise<T>;
  stop(): Promise<void>;
}

export async function startLedgerProcess(options: { brokers: string[]; prefix: string; suite: string }): Promise<LedgerProcess> {
  const databaseUrl = await createTestDatabase(`${options.suite}-ledger`);
  const port = await freePort();
  const child: ChildProcess = spawn(process.execPath, [join(WORKSPACE_ROOT, 'tools', 'run-ts.cjs'), join(WORKSPACE_ROOT, 'apps', 'ledger', 'src', 'main.ts')], {
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      KAFKA_BROKERS: options.brokers.join(','),
      KAFKA_TOPIC_PREFIX: options.prefix,
      LEDGER_CONSUMER_GROUP: `${options.prefix}ledger`,
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'error',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  const get = async <T>(path: string): Promise<T> => {
    const response = await fetch(`${url}${path}`);
    if (!response.ok) throw new Error(`ledger GET ${path}: HTTP ${response.status} ${await response.text()}`);
    return (await response.json()) as T;
  };
  await expectEventually(
    async () => {
      if (child.exitCode !== null) throw new Error(`the ledger exited with ${child.exitCode}`);
      const response = await fetch(`${url}/health/ready`).catch(() => undefined);
      expect(response?.status).toBe(200);
    },
    { timeoutMs: 60_000, intervalMs: 200 },
  );
  return {
    url,
    get,
    stop: () =>
      new Promise<void>((resolveStop) => {
        if (child.exitCode !== null || child.signalCode !== null) {
          resolveStop();
          return;
        }
        child.once('exit', () => resolveStop());
        child.kill('SIGTERM');
      }),
  };
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
  const collector = await EventCollector.start(env.kafkaBrokers, prefix);
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
