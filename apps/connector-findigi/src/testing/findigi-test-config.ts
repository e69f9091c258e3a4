import { createTestDatabase, freePort, testEnvironment, type SandboxProcess } from '@finmesh/testing';
import { loadFindigiConfig, type FindigiConfig } from '../config';

/**
 * The connector's configuration in a suite: its own database, the run's broker and topic prefix,
 * no scheduled sync, fast retries, and the sandbox's maker of the company workspace (2FA).
 */
export async function findigiTestConfig(suite: string, prefix: string, sandbox: SandboxProcess, overrides: Record<string, string> = {}): Promise<FindigiConfig> {
  const env = testEnvironment();
  return loadFindigiConfig({
    DATABASE_URL: await createTestDatabase(suite),
    KAFKA_BROKERS: env.kafkaBrokers.join(','),
    KAFKA_TOPIC_PREFIX: prefix,
    KAFKA_PROVISION_TOPICS: 'true',
    PORT: String(await freePort()),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
    SYNC_ENABLED: 'false',
    PROVIDER_RETRY_INITIAL_MS: '20',
    PROVIDER_RETRY_MAX_MS: '200',
    FINDIGI_BASE_URL: sandbox.baseUrls['findigi'] ?? '',
    FINDIGI_MODE: 'sandbox',
    FINDIGI_EMAIL: 'maker@findigi.local',
    FINDIGI_PASSWORD: 'sandbox-password',
    FINDIGI_2FA_CODE: '123456',
    ...overrides,
  });
}
