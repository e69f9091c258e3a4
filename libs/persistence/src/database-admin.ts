import { Client } from 'pg';
import { parseDatabaseUrl } from './database-url';

const DATABASE_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/** Creates the database named in the URL if it does not exist yet (npm start, test runs). */
export async function ensureDatabase(databaseUrl: string): Promise<{ created: boolean }> {
  const { database, adminUrl } = parseDatabaseUrl(databaseUrl);
  assertDatabaseName(database);
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const existing = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (existing.rowCount === 0) {
      try {
        await client.query(`CREATE DATABASE "${database}"`);
      } catch (error: unknown) {
        // 42P04: created concurrently by another process.
        if ((error as { code?: string }).code !== '42P04') throw error;
        return { created: false };
      }
      return { created: true };
    }
    return { created: false };
  } finally {
    await client.end();
  }
}

/** Drops every database whose name starts with prefix, ending its connections first. */
export async function dropDatabasesWithPrefix(adminUrl: string, prefix: string): Promise<string[]> {
  assertDatabaseName(prefix);
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const result = await client.query<{ datname: string }>(
      "SELECT datname FROM pg_database WHERE starts_with(datname, $1)",
      [prefix],
    );
    const names = result.rows.map((row) => row.datname);
    for (const name of names) {
      await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    }
    return names;
  } finally {
    await client.end();
  }
}

function assertDatabaseName(name: string): void {
  if (!DATABASE_NAME.test(name)) {
    throw new Error(`"${name}" is not a database name finmesh creates (letters, digits and _ only)`);
  }
}
