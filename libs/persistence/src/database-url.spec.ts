import { parseDatabaseUrl, redactDatabaseUrl, withDatabase } from './database-url';

describe('database URLs', () => {
  it('parses the database and derives the maintenance URL', () => {
    const parsed = parseDatabaseUrl('postgres://app:s3cret@db:5432/finmesh');
    expect(parsed.database).toBe('finmesh');
    expect(parsed.adminUrl).toBe('postgres://app:s3cret@db:5432/postgres');
  });

  it.each([
    ['not a url', /not a valid URL/],
    ['mysql://db/finmesh', /postgres:\/\/ scheme/],
    ['postgres://db:5432', /names no database/],
  ])('rejects %p with a message naming the variable', (value, message) => {
    expect(() => parseDatabaseUrl(value)).toThrow(message);
    expect(() => parseDatabaseUrl(value)).toThrow(/DATABASE_URL/);
  });

  it('never echoes a password in its errors or redacted form', () => {
    expect(() => parseDatabaseUrl('mysql://app:hunter2@db/x')).not.toThrow(/hunter2/);
    expect(redactDatabaseUrl('postgres://app:hunter2@db/x')).toBe('postgres://app:***@db/x');
  });

  it('swaps the database of a URL', () => {
    expect(withDatabase('postgres://postgres@127.0.0.1:5432/postgres', 'ledger')).toBe(
      'postgres://postgres@127.0.0.1:5432/ledger',
    );
  });
});
