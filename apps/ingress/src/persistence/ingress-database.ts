import { createDataSource, redactDatabaseUrl, runMigrations } from '@finmesh/persistence';
import { Pool } from 'pg';
import type { DataSource } from 'typeorm';
import { INGRESS_ENTITIES } from './entities';
import { INGRESS_MIGRATIONS, INGRESS_MIGRATIONS_TABLE } from './migrations';

export interface IngressDatabaseOptions {
  url: string;
  poolSize: number;
  runMigrations: boolean;
  log?: (message: string, extra?: Record<string, unknown>) => void;
}

/**
 * The ingress's PostgreSQL connections:
 * - `dataSource` (TypeORM): migrations at boot and the admin reads, through the entities;
 * - `durable`: the request path's writes, committed with synchronous_commit on (the default);
 * - `bookkeeping`: the `published` marks only, with synchronous_commit off (see CallbackStore).
 */
export class IngressDatabase {
  private constructor(
    readonly dataSource: DataSource,
    readonly durable: Pool,
    readonly bookkeeping: Pool,
  ) {}

  static async open(options: IngressDatabaseOptions): Promise<IngressDatabase> {
    const dataSource = createDataSource({
      url: options.url,
      applicationName: 'ingress',
      entities: INGRESS_ENTITIES,
      // No signing replay store: Standard Webhooks replays are caught by the idempotency key.
      migrations: INGRESS_MIGRATIONS,
      migrationsTableName: INGRESS_MIGRATIONS_TABLE,
      poolSize: 2,
    });
    await dataSource.initialize();
    try {
      if (options.runMigrations) {
        const applied = await runMigrations(dataSource);
        options.log?.('migrations applied', { applied, database: redactDatabaseUrl(options.url) });
      }
    } catch (error: unknown) {
      await dataSource.destroy();
      throw error;
    }
    const durable = new Pool({ connectionString: options.url, max: options.poolSize, application_name: 'ingress' });
    const bookkeeping = new Pool({
      connectionString: options.url,
      max: 2,
      application_name: 'ingress-bookkeeping',
      options: '-c synchronous_commit=off',
    });
    // An idle client that loses its connection emits 'error'; the pool replaces it, nothing to crash for.
    durable.on('error', () => undefined);
    bookkeeping.on('error', () => undefined);
    return new IngressDatabase(dataSource, durable, bookkeeping);
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.durable.end(), this.bookkeeping.end(), this.dataSource.destroy()]);
  }
}
