import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { Client } from 'pg';
import { ensureBroker, stopBroker, type BrokerHandle } from '@finmesh/tools-kafka';
import { dropDatabasesWithPrefix, LOCAL_DATABASE_URL, parseDatabaseUrl, redactDatabaseUrl } from '@finmesh/persistence';

const WORKSPACE_ROOT = resolve(__dirname, '..', '..', '..');

/** The test broker lives beside, not on top of, a developer's `npm start` broker (9092). */
const TEST_KAFKA_PORT = Number.parseInt(process.env['FINMESH_TEST_KAFKA_PORT'] ?? '19092', 10);
const TEST_KAFKA_DATA_DIR = join(WORKSPACE_ROOT, '.cache', 'kafka', `test-broker-${TEST_KAFKA_PORT}`);

export interface ProvisionedTestEnvironment {
  runId: string;
  broker: BrokerHandle;
  adminDatabaseUrl: string;
}

/**
 * Brings up what every integration test of a run shares: one Kafka broker (KAFKA_BROKERS, or a
 * local KRaft node started here) and one PostgreSQL server (DATABASE_URL, or the local server).
 * Exports them to the test processes through the environment.
 */
export async function provisionTestEnvironment(log: (line: string) => void): Promise<ProvisionedTestEnvironment> {
  const runId = `${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
  const databaseUrl = process.env['DATABASE_URL'] ?? LOCAL_DATABASE_URL;
  const { adminUrl } = parseDatabaseUrl(databaseUrl);
  await assertPostgresReachable(adminUrl);

  const broker = await ensureBroker({ port: TEST_KAFKA_PORT, dataDir: TEST_KAFKA_DATA_DIR, fresh: true, log });

  process.env['FINMESH_TEST_RUN_ID'] = runId;
  process.env['KAFKA_BROKERS'] = broker.brokers;
  process.env['FINMESH_TEST_ADMIN_DATABASE_URL'] = adminUrl;
  log(`test run ${runId}: Kafka at ${broker.brokers}${broker.external ? ' (KAFKA_BROKERS)' : ''}, PostgreSQL at ${redactDatabaseUrl(adminUrl)}`);
  return { runId, broker, adminDatabaseUrl: adminUrl };
}

/** Drops the run's databases and topics, and stops the broker if this run started it. */
export async function teardownTestEnvironment(env: ProvisionedTestEnvironment, log: (line: string) => void): Promise<void> {
  const dropped = await dropDatabasesWithPrefix(env.adminDatabaseUrl, `finmesh_test_${env.runId}_`);
  if (!env.broker.startedHere) {
    // A broker this run did not start outlives it: remove the run's topics from it.
    const deleted = await deleteTopicsWithPrefix(env.broker.brokers, `t-${env.runId}-`);
    log(`test run ${env.runId}: dropped ${dropped.length} database(s), deleted ${deleted} topic(s)`);
    return;
  }
  log(`test run ${env.runId}: dropped ${dropped.length} database(s); stopping the test broker`);
  await stopBroker({ port: TEST_KAFKA_PORT, dataDir: TEST_KAFKA_DATA_DIR, log });
}

async function assertPostgresReachable(adminUrl: string): Promise<void> {
  const client = new Client({ connectionString: adminUrl, connectionTimeoutMillis: 5_000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
  } catch (error: unknown) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(
      `PostgreSQL is not reachable at ${redactDatabaseUrl(adminUrl)} (${reason}). ` +
        'Set DATABASE_URL, or start the local server.',
    );
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function deleteTopicsWithPrefix(brokers: string, prefix: string): Promise<number> {
  const kafka = new Kafka({ clientId: 'finmesh-test-teardown', brokers: brokers.split(','), logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  try {
    const topics = (await admin.listTopics()).filter((t) => t.startsWith(prefix));
    if (topics.length > 0) await admin.deleteTopics({ topics });
    return topics.length;
  } finally {
    await admin.disconnect();
  }
}
