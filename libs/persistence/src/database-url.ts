/** The PostgreSQL server used when DATABASE_URL is not set: the local server, trust auth. */
export const LOCAL_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

export interface ParsedDatabaseUrl {
  url: string;
  database: string;
  /** The same server, its maintenance database (for CREATE DATABASE). */
  adminUrl: string;
}

/** Validates a postgres:// URL and names what is wrong without echoing a password. */
export function parseDatabaseUrl(value: string, variable = 'DATABASE_URL'): ParsedDatabaseUrl {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`${variable} is not a valid URL (expected postgres://user[:password]@host:port/database)`);
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new Error(`${variable} must use the postgres:// scheme, not ${url.protocol}`);
  }
  const database = decodeURIComponent(url.pathname.replace(/^\//, ''));
  if (database === '') {
    throw new Error(`${variable} names no database (expected postgres://user@host:port/database)`);
  }
  const admin = new URL(url.toString());
  admin.pathname = '/postgres';
  return { url: url.toString(), database, adminUrl: admin.toString() };
}

/** Replaces the database of a URL, keeping server and credentials. */
export function withDatabase(databaseUrl: string, database: string): string {
  const url = new URL(databaseUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

/** A URL with its password masked, for log lines and error messages. */
export function redactDatabaseUrl(databaseUrl: string): string {
  try {
    const url = new URL(databaseUrl);
    if (url.password) url.password = '***';
    return url.toString();
  } catch {
    return '<unparseable database url>';
  }
}
