import type { SyncResource } from '../contract/capabilities';
import type { SqlRunner } from './sync-lease';

export interface SyncStateRow {
  resource: string;
  cursor: string | null;
  runId: string | null;
  pagesInRun: number;
  nextRunAt: Date | null;
  lastSuccessAt: Date | null;
  consecutiveFailures: number;
  lastError: string | null;
}

export class SyncRunFencedError extends Error {
  constructor(resource: string) {
    super(`the ${resource} sync run was changed by another holder; stopping this one`);
    this.name = 'SyncRunFencedError';
  }
}

/**
 * The SQL of sync state and attempts (tables connector_sync_state and connector_sync_attempts).
 * Writes always run on the lease's session, so only the replica holding the lease makes them.
 */
export class SyncStateStore {
  constructor(private readonly connector: string) {}

  async load(sql: SqlRunner): Promise<Map<string, SyncStateRow>> {
    const result = await sql.query<{
      resource: string;
      cursor: string | null;
      run_id: string | null;
      pages_in_run: number;
      next_run_at: Date | null;
      last_success_at: Date | null;
      consecutive_failures: number;
      last_error: string | null;
    }>(
      `SELECT resource, cursor, run_id, pages_in_run, next_run_at, last_success_at, consecutive_failures, last_error
         FROM connector_sync_state WHERE connector = $1`,
      [this.connector],
    );
    return new Map(
      result.rows.map((row) => [
        row.resource,
        {
          resource: row.resource,
          cursor: row.cursor,
          runId: row.run_id,
          pagesInRun: row.pages_in_run,
          nextRunAt: row.next_run_at,
          lastSuccessAt: row.last_success_at,
          consecutiveFailures: row.consecutive_failures,
          lastError: row.last_error,
        },
      ]),
    );
  }

  async beginRun(sql: SqlRunner, resource: SyncResource, runId: string, now: Date): Promise<void> {
    await sql.query(
      `INSERT INTO connector_sync_state (connector, resource, run_id, run_started_at, pages_in_run, updated_at)
       VALUES ($1, $2, $3, $4, 0, $4)
       ON CONFLICT (connector, resource) DO UPDATE
         SET run_id = EXCLUDED.run_id, run_started_at = EXCLUDED.run_started_at, pages_in_run = 0, updated_at = EXCLUDED.updated_at`,
      [this.connector, resource, runId, now],
    );
  }

  /**
   * Moves the cursor past a page whose events Kafka has acknowledged. On the run's last page the
   * run ends: the cursor becomes the next run's starting point and the next run is scheduled.
   */
  async savePage(
    sql: SqlRunner,
    page: { resource: SyncResource; runId: string; cursor: string | null; hasMore: boolean; now: Date; nextRunAt: Date },
  ): Promise<void> {
    const result = await sql.query(
      `UPDATE connector_sync_state
          SET cursor = $4,
              pages_in_run = pages_in_run + 1,
              run_id = CASE WHEN $5 THEN run_id ELSE NULL END,
              run_started_at = CASE WHEN $5 THEN run_started_at ELSE NULL END,
              last_success_at = CASE WHEN $5 THEN last_success_at ELSE $6 END,
              next_run_at = CASE WHEN $5 THEN next_run_at ELSE $7 END,
              consecutive_failures = CASE WHEN $5 THEN consecutive_failures ELSE 0 END,
              last_error = CASE WHEN $5 THEN last_error ELSE NULL END,
              updated_at = $6
        WHERE connector = $1 AND resource = $2 AND run_id = $3`,
      [this.connector, page.resource, page.runId, page.cursor, page.hasMore, page.now, page.nextRunAt],
    );
    if (result.rowCount !== 1) throw new SyncRunFencedError(page.resource);
  }

  /** A failed page: the run stays where it is (cursor and run kept) and is retried at nextRunAt. */
  async recordFailure(sql: SqlRunner, resource: SyncResource, error: string, now: Date, nextRunAt: Date): Promise<number> {
    const result = await sql.query<{ consecutive_failures: number }>(
      `INSERT INTO connector_sync_state (connector, resource, consecutive_failures, last_error, next_run_at, updated_at)
       VALUES ($1, $2, 1, $3, $5, $4)
       ON CONFLICT (connector, resource) DO UPDATE
         SET consecutive_failures = connector_sync_state.consecutive_failures + 1,
             last_error = EXCLUDED.last_error, next_run_at = EXCLUDED.next_run_at, updated_at = EXCLUDED.updated_at
       RETURNING consecutive_failures`,
      [this.connector, resource, error.slice(0, 2000), now, nextRunAt],
    );
    return result.rows[0]?.consecutive_failures ?? 1;
  }

  /** Attempts left `running` by a replica that died: only a lease holder calls this, so none is really running. */
  async closeInterruptedAttempts(sql: SqlRunner, now: Date): Promise<number> {
    const result = await sql.query(
      `UPDATE connector_sync_attempts SET outcome = 'interrupted', finished_at = $2
        WHERE connector = $1 AND outcome = 'running'`,
      [this.connector, now],
    );
    return result.rowCount ?? 0;
  }

  async startAttempt(
    sql: SqlRunner,
    attempt: { id: string; resource: SyncResource; runId: string; holder: string; resumed: boolean; now: Date },
  ): Promise<void> {
    await sql.query(
      `INSERT INTO connector_sync_attempts (id, connector, resource, run_id, holder, resumed, started_at, outcome)
       VALUES ($1, $2, $3, $4, $5, $6, $7, 'running')`,
      [attempt.id, this.connector, attempt.resource, attempt.runId, attempt.holder, attempt.resumed, attempt.now],
    );
  }

  async progressAttempt(sql: SqlRunner, id: string, pages: number, events: number): Promise<void> {
    await sql.query('UPDATE connector_sync_attempts SET pages = $2, events = $3 WHERE id = $1', [id, pages, events]);
  }

  async finishAttempt(
    sql: SqlRunner,
    attempt: { id: string; outcome: 'completed' | 'failed' | 'interrupted'; pages: number; events: number; error?: string; now: Date },
  ): Promise<void> {
    await sql.query(
      `UPDATE connector_sync_attempts SET outcome = $2, pages = $3, events = $4, error = $5, finished_at = $6 WHERE id = $1`,
      [attempt.id, attempt.outcome, attempt.pages, attempt.events, attempt.error?.slice(0, 2000) ?? null, attempt.now],
    );
  }
}
