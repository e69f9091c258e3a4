import { booleanEnv, databaseEnv, httpEnv, integerEnv, jsonEnv, kafkaEnv, logEnv } from '@finmesh/service-runtime';
import { z } from 'zod';
import type { SyncResource } from '../contract/capabilities';
import type { RateLimit } from '../http/rate-limiter';

export interface ConnectorEnvDefaults {
  /** The connector's name (`indx`): client id, consumer group and lock names derive from it. */
  name: string;
  port: number;
  /** The provider's documented or agreed request rate. */
  rateLimit: RateLimit;
}

const rateLimitSchema = z.strictObject({
  requestsPerSecond: z.number().positive().max(10_000),
  burst: z.number().int().min(1).max(10_000),
});

/**
 * The environment every connector reads (the kit's part); a connector adds its provider's own
 * variables (base URL, credentials) next to these. Durations are milliseconds.
 */
export function connectorEnv(defaults: ConnectorEnvDefaults) {
  return {
    ...kafkaEnv({ clientId: `finmesh-connector-${defaults.name}` }),
    ...databaseEnv(),
    ...httpEnv({ port: defaults.port }),
    ...logEnv(),
    /** Apply the kit's (and the connector's) migrations at boot. */
    CONNECTOR_RUN_MIGRATIONS: booleanEnv().default(true),
    /** This replica's name in the sync attempts table; defaults to host name and process id. */
    CONNECTOR_INSTANCE_ID: z.string().regex(/^[A-Za-z0-9._:-]{1,100}$/).optional(),
    CONNECTOR_DB_POOL_SIZE: integerEnv({ min: 2, max: 100 }).default(5),
    /** Run the sync schedule in this replica (every replica may; only the lease holder syncs). */
    SYNC_ENABLED: booleanEnv().default(true),
    /** Interval of every resource unless its own variable says otherwise. */
    SYNC_INTERVAL_MS: integerEnv({ min: 100, max: 86_400_000 }).optional(),
    SYNC_ACCOUNTS_INTERVAL_MS: integerEnv({ min: 100, max: 86_400_000 }).optional(),
    SYNC_EXTERNAL_ACCOUNTS_INTERVAL_MS: integerEnv({ min: 100, max: 86_400_000 }).optional(),
    SYNC_BALANCES_INTERVAL_MS: integerEnv({ min: 100, max: 86_400_000 }).optional(),
    SYNC_TRANSACTIONS_INTERVAL_MS: integerEnv({ min: 100, max: 86_400_000 }).optional(),
    SYNC_JITTER_PERCENT: integerEnv({ min: 0, max: 50 }).default(10),
    SYNC_LEASE_RETRY_MS: integerEnv({ min: 10, max: 600_000 }).default(5_000),
    SYNC_RETRY_INITIAL_MS: integerEnv({ min: 10, max: 600_000 }).default(1_000),
    SYNC_RETRY_MAX_MS: integerEnv({ min: 10, max: 3_600_000 }).default(60_000),
    PAYMENTS_POLL_INTERVAL_MS: integerEnv({ min: 50, max: 3_600_000 }).default(10_000),
    CALLBACKS_CONSUMER_GROUP: z.string().regex(/^[A-Za-z0-9._-]{1,200}$/).default(`finmesh-connector-${defaults.name}-callbacks`),
    PROVIDER_CONNECT_TIMEOUT_MS: integerEnv({ min: 10, max: 120_000 }).default(5_000),
    PROVIDER_RESPONSE_TIMEOUT_MS: integerEnv({ min: 10, max: 600_000 }).default(15_000),
    PROVIDER_MAX_RETRIES: integerEnv({ min: 0, max: 20 }).default(4),
    PROVIDER_RETRY_INITIAL_MS: integerEnv({ min: 1, max: 60_000 }).default(200),
    PROVIDER_RETRY_MAX_MS: integerEnv({ min: 1, max: 600_000 }).default(10_000),
    PROVIDER_CIRCUIT_FAILURES: integerEnv({ min: 1, max: 1_000 }).default(5),
    PROVIDER_CIRCUIT_HALF_OPEN_MS: integerEnv({ min: 10, max: 3_600_000 }).default(15_000),
    PROVIDER_RATE_LIMIT_PER_SECOND: integerEnv({ min: 1, max: 10_000 }).default(defaults.rateLimit.requestsPerSecond),
    PROVIDER_RATE_LIMIT_BURST: integerEnv({ min: 1, max: 10_000 }).default(defaults.rateLimit.burst),
    /** Per logical endpoint, e.g. `{"transactions.list":{"requestsPerSecond":5,"burst":5}}`. */
    PROVIDER_ENDPOINT_RATE_LIMITS: jsonEnv(z.record(z.string().regex(/^[a-z0-9._-]{1,64}$/), rateLimitSchema)).default({}),
  };
}

/** The kit's part of a connector's configuration, as loaded. */
export type ConnectorKitConfig = z.output<z.ZodObject<ReturnType<typeof connectorEnv>>>;

/** Each resource's interval: its own variable, else SYNC_INTERVAL_MS, else the connector's default. */
export function syncIntervals(config: ConnectorKitConfig, defaults: Partial<Record<SyncResource, number>>): Record<SyncResource, number> {
  const fallback = (resource: SyncResource): number => config.SYNC_INTERVAL_MS ?? defaults[resource] ?? 300_000;
  return {
    accounts: config.SYNC_ACCOUNTS_INTERVAL_MS ?? fallback('accounts'),
    external_accounts: config.SYNC_EXTERNAL_ACCOUNTS_INTERVAL_MS ?? fallback('external_accounts'),
    balances: config.SYNC_BALANCES_INTERVAL_MS ?? fallback('balances'),
    transactions: config.SYNC_TRANSACTIONS_INTERVAL_MS ?? fallback('transactions'),
  };
}
