import { REPLAY_NONCE_TABLE } from './migrations';
import type { ReplayCheck, ReplayStore } from './replay-store';
import type { SqlExecutor } from './sql-executor';

/**
 * The replay store in PostgreSQL (table from SIGNING_MIGRATIONS), shared by every replica. The
 * primary key on (scope, nonce) makes `seen` atomic: concurrent inserts of one nonce wait on each
 * other and exactly one of them inserts the row.
 */
export class PostgresReplayStore implements ReplayStore {
  constructor(private readonly db: SqlExecutor) {}

  async seen(scope: string, nonce: string, expiresAt: Date): Promise<ReplayCheck> {
    const inserted = await this.db.query<Array<{ inserted: number }>>(
      `INSERT INTO ${REPLAY_NONCE_TABLE} (scope, nonce, expires_at) VALUES ($1, $2, $3)
       ON CONFLICT (scope, nonce) DO NOTHING
       RETURNING 1 AS inserted`,
      [scope, nonce, expiresAt],
    );
    return inserted.length === 1 ? 'first-time' : 'replay';
  }

  async purgeExpired(now: Date = new Date()): Promise<number> {
    // Wrapped in a CTE so the driver returns plain rows (TypeORM reshapes bare DELETE results).
    const [result] = await this.db.query<Array<{ purged: number }>>(
      `WITH purged AS (DELETE FROM ${REPLAY_NONCE_TABLE} WHERE expires_at < $1 RETURNING 1)
       SELECT count(*)::int AS purged FROM purged`,
      [now],
    );
    return result?.purged ?? 0;
  }
}
