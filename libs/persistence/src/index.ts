export { createDataSource, dataSourceOptions, runMigrations } from './data-source';
export type { FinmeshDataSourceOptions } from './data-source';
export { dropDatabasesWithPrefix, ensureDatabase } from './database-admin';
export { LOCAL_DATABASE_URL, parseDatabaseUrl, redactDatabaseUrl, withDatabase } from './database-url';
export type { ParsedDatabaseUrl } from './database-url';
