import { DataSource, type DataSourceOptions, type MixedList, type EntitySchema } from 'typeorm';

export interface FinmeshDataSourceOptions {
  url: string;
  /** The application's name in pg_stat_activity. */
  applicationName: string;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type -- TypeORM's own type for entity and migration classes
  entities?: MixedList<Function | string | EntitySchema>;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type -- as above
  migrations?: MixedList<Function | string>;
  /** Each service keeps its own migration history table, so services can share one database. */
  migrationsTableName: string;
  poolSize?: number;
}

/**
 * TypeORM options shared by every service. Schemas only ever change through migrations:
 * `synchronize` is off here and nowhere else turned on outside unit tests.
 */
export function dataSourceOptions(options: FinmeshDataSourceOptions): DataSourceOptions {
  return {
    type: 'postgres',
    url: options.url,
    applicationName: options.applicationName,
    entities: options.entities ?? [],
    migrations: options.migrations ?? [],
    migrationsTableName: options.migrationsTableName,
    migrationsTransactionMode: 'each',
    synchronize: false,
    migrationsRun: false,
    logging: ['error', 'migration'],
    extra: { max: options.poolSize ?? 10 },
  };
}

/** Applies pending migrations and returns the names of those it applied. */
export async function runMigrations(dataSource: DataSource): Promise<string[]> {
  const applied = await dataSource.runMigrations({ transaction: 'each' });
  return applied.map((migration) => migration.name);
}

export function createDataSource(options: FinmeshDataSourceOptions): DataSource {
  return new DataSource(dataSourceOptions(options));
}
