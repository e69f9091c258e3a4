import { createDataSource } from '@finmesh/persistence';
import type { DataSource } from 'typeorm';
import { LedgerSchema1763800000000 } from '../migrations/1763800000000-ledger-schema';

export const LEDGER_MIGRATIONS = [LedgerSchema1763800000000];

/** The ledger's TypeORM data source: its migrations, its own migration history table. */
export function createLedgerDataSource(url: string, poolSize = 10): DataSource {
  return createDataSource({
    url,
    applicationName: 'finmesh-ledger',
    migrations: LEDGER_MIGRATIONS,
    migrationsTableName: 'ledger_migrations',
    poolSize,
  });
}
