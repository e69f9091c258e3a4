import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

/**
 * What the shared test setup (tools/testing) provisioned for this run. Every integration test
 * reads its broker, database server and naming prefix from here, so that suites of one run share
 * one broker and one PostgreSQL server while never seeing each other's topics or tables.
 */
export interface TestEnvironment {
  runId: string;
  kafkaBrokers: string[];
  /** A URL of the PostgreSQL server, pointing at its maintenance database. */
  adminDatabaseUrl: string;
}

export const TEST_DATABASE_PREFIX = 'finmesh_test_';

export function testEnvironment(): TestEnvironment {
  const runId = process.env['FINMESH_TEST_RUN_ID'];
  const brokers = process.env['KAFKA_BROKERS'];
  const adminDatabaseUrl = process.env['FINMESH_TEST_ADMIN_DATABASE_URL'];
  if (!runId || !brokers || !adminDatabaseUrl) {
    throw new Error(
      'The test environment is not provisioned: run tests through `npm test` or `nx test <project>` ' +
        '(the Jest global setup in tools/testing starts Kafka and prepares PostgreSQL).',
    );
  }
  return { runId, kafkaBrokers: brokers.split(',').map((b) => b.trim()), adminDatabaseUrl };
}

/** A short random suffix for names that must be unique within a run (topics, groups, schemas). */
export function uniqueSuffix(): string {
  return randomBytes(4).toString('hex');
}

/** A topic prefix private to one test suite in this run, e.g. `t-<run>-<suite>-<rand>.`. */
export function testTopicPrefix(suite: string): string {
  return `t-${testEnvironment().runId}-${sanitize(suite)}-${uniqueSuffix()}.`;
}

/**
 * Creates a database private to one suite of this run and returns its URL. The run's global
 * teardown drops every database of the run, including those of suites that crashed.
 */
export async function createTestDatabase(suite: string): Promise<string> {
  const env = testEnvironment();
  const name = `${TEST_DATABASE_PREFIX}${env.runId}_${sanitize(suite).replace(/-/g, '_')}_${uniqueSuffix()}`;
  const admin = new Client({ connectionString: env.adminDatabaseUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  const url = new URL(env.adminDatabaseUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

function sanitize(value: string): string {
  return value.toLowerCase().replace(/[^a-z0-9-]+/g, '-').slice(0, 40);
}
