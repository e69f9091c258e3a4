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
    return {
      holder,
      query: async <Row extends QueryResultRow>(text: string, values?: unknown[]) => {
        ensureHeld();
        return client.query<Row>(text, values);
      },
      transaction: async <T>(work: (sql: SqlRunner) => Promise<T>) => {
        ensureHeld();
        await client.query('BEGIN');
        try {
          const result = await work(client);
          await client.query('COMMIT');
          return result;
        } catch (error: unknown) {
          await client.query('ROLLBACK').catch(() => undefined);
          throw error;
        }
      },
      // Ending the session releases the lock; no unlock statement can be forgotten.
      release: () => client.end().catch(() => undefined),
    };
  }
}
