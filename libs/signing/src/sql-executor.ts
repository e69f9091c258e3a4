import type { DataSource } from 'typeorm';

/** What the PostgreSQL stores need from TypeORM: a DataSource or an EntityManager both fit. */
export type SqlExecutor = Pick<DataSource, 'query'>;
