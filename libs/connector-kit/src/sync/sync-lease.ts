import { Client, type QueryResult, type QueryResultRow } from 'pg';

/** Runs SQL; a pg Client or Pool fits. */
export interface SqlRunner {
  query<Row extends QueryResultRow = QueryResultRow>(text: string, values?: unknown[]): Promise<QueryResult<Row>>;
}

export class SyncLeaseLostError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SyncLeaseLostError';
  }
}

/**
 * The right to sync one connector, held by at most one replica: a PostgreSQL session-level
 * advisory lock on a connection of its own. The lock lives exactly as long as that session, so
 * a replica that crashes or loses its connection loses the lease at once, and every cursor write
 * goes through the same session: a replica that lost its lease cannot move a cursor any more.
 */
export interface SyncLease {
  readonly holder: string;
  /** Runs statements on the lease's session inside one transaction. */
  transaction<T>(work: (sql: SqlRunner) => Promise<T>): Promise<T>;
  /** Runs one statement on the lease's session. */
  query<Row extends QueryResultRow = QueryResultRow>(text: string, values?: unknown[]): Promise<QueryResult<Row>>;
  release(): Promise<void>;
}

export interface SyncLeaseProvider {
  tryAcquire(): Promise<SyncLease | undefined>;
}

export class PostgresSyncLeases implements SyncLeaseProvider {
  private readonly lockName: string;

  constructor(
    private readonly options: { databaseUrl: string; connector: string; holder: string; applicationName?: string },
  ) {
    this.lockName = `finmesh-connector-sync:${options.connector}`;
  }

  async tryAcquire(): Promise<SyncLease | undefined> {
    const client = new Client({ connectionString: this.options.databaseUrl, application_name: this.options.applicationName ?? `connector-${this.options.connector}-sync` });
    let lost: Error | undefined;
    // A dropped connection ends the session and with it the lock; remember it, never crash on it.
    client.on('error', (error) => {
      lost = error;
    });
    await client.connect();
    try {
      const result = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS locked', [this.lockName]);
      if (result.rows[0]?.locked !== true) {
        await client.end();
        return undefined;
      }
    } catch (error: unknown) {
      await client.end().catch(() => undefined);
      throw error;
    }
    const holder = this.options.holder;
    const ensureHeld = (): void => {
      if (lost) throw new SyncLeaseLostError(`the sync lease's database session ended: ${lost.message}`);
    };
    // The session may die between two statements before its 'error' event arrives: a failure
    // that says the connection is gone means the lock is gone too.
    const leaseError = (error: unknown): unknown => {
      if (error instanceof SyncLeaseLostError) return error;
      if (lost || isConnectionFailure(error)) {
        lost ??= error instanceof Error ? error : new Error(String(error));
        return new SyncLeaseLostError(`the sync lease's database session ended: ${lost.message}`);
      }
      return error;
    };
    return {
      holder,
      query: async <Row extends QueryResultRow>(text: string, values?: unknown[]) => {
        ensureHeld();
        try {
          return await client.query<Row>(text, values);
        } catch (error: unknown) {
          throw leaseError(error);
        }
      },
      transaction: async <T>(work: (sql: SqlRunner) => Promise<T>) => {
        ensureHeld();
        try {
          await client.query('BEGIN');
          try {
            const result = await work(client);
            await client.query('COMMIT');
            return result;
          } catch (error: unknown) {
            await client.query('ROLLBACK').catch(() => undefined);
            throw error;
          }
        } catch (error: unknown) {
          throw leaseError(error);
        }
      },
      // Ending the session releases the lock; no unlock statement can be forgotten.
      release: () => client.end().catch(() => undefined),
    };
  }
}

/** The connection (and with it the session and its advisory lock) is gone: admin shutdown, connection exceptions, a closed client. */
function isConnectionFailure(error: unknown): boolean {
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (typeof code === 'string' && (code.startsWith('57P') || code.startsWith('08'))) return true;
  return typeof message === 'string' && /Connection terminated|not queryable|ECONNRESET|EPIPE/i.test(message);
}
