import { booleanEnv, databaseEnv, httpEnv, integerEnv, kafkaEnv, loadConfig, logEnv } from '@finmesh/service-runtime';
import { z } from 'zod';

export const LedgerConfigSchema = z.object({
  ...kafkaEnv({ clientId: 'finmesh-ledger' }),
  ...databaseEnv(),
  ...httpEnv({ port: 3100 }),
  ...logEnv(),
  /** Consumer group of the ledger; every replica shares it. */
  LEDGER_CONSUMER_GROUP: z.string().regex(/^[A-Za-z0-9._-]{1,200}$/).default('finmesh-ledger'),
  /** Partition batches processed at once per replica (each is one database transaction). */
  LEDGER_PARTITIONS_CONCURRENCY: integerEnv({ min: 1, max: 64 }).default(3),
  /** Attempts of a failing batch slice before it is split and its poison record dead-lettered. */
  LEDGER_MAX_ATTEMPTS: integerEnv({ min: 1, max: 20 }).default(3),
  LEDGER_DB_POOL_SIZE: integerEnv({ min: 2, max: 200 }).default(10),
  /** Apply pending migrations at boot (on by default; turn off where a migration job runs them). */
  LEDGER_RUN_MIGRATIONS: booleanEnv().default(true),
});

export type LedgerConfig = z.output<typeof LedgerConfigSchema>;

export function loadLedgerConfig(env: NodeJS.ProcessEnv = process.env): LedgerConfig {
  return loadConfig(LedgerConfigSchema, env);
}
