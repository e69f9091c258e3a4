import type { IndodaxNonceSource, IndodaxNonceTracker, NonceAdvance } from './indodax-nonces';
import { NONCE_COUNTER_TABLE } from './migrations';
import type { SqlExecutor } from './sql-executor';

// Issued and accepted counters share a table but never a row, so a connector and a sandbox may
// share one database and one API key without disturbing each other.
const ISSUED_SCOPE = 'indodax-issued';
const ACCEPTED_SCOPE = 'indodax-accepted';

/**
 * Indodax nonces from a PostgreSQL counter row per API key (table from SIGNING_MIGRATIONS). One
 * upsert both creates and advances the row; PostgreSQL serialises concurrent upserts of one row,
 * so every replica, and every restart, gets a nonce greater than all issued before.
 */
export class PostgresIndodaxNonceSource implements IndodaxNonceSource {
  constructor(
    private readonly db: SqlExecutor,
    private readonly clock: () => number = Date.now,
  ) {}

  async next(apiKey: string): Promise<bigint> {
    const now = BigInt(Math.floor(this.clock()));
    const [row] = await this.db.query<Array<{ value: string }>>(
      `INSERT INTO ${NONCE_COUNTER_TABLE} AS counter (scope, api_key, value) VALUES ($1, $2, $3)
       ON CONFLICT (scope, api_key) DO UPDATE SET value = GREATEST(counter.value + 1, EXCLUDED.value)
       RETURNING value::text AS value`,
      [ISSUED_SCOPE, apiKey, now.toString()],
    );
    if (row === undefined) throw new Error('the Indodax nonce upsert returned no row');
    return BigInt(row.value);
  }
}

/**
 * The verify side's last accepted nonce per API key in PostgreSQL. The conditional upsert
 * returns a row only when it inserted or raised the counter, which is the acceptance itself:
 * two concurrent requests with the same nonce cannot both be accepted.
 */
export class PostgresIndodaxNonceTracker implements IndodaxNonceTracker {
  constructor(private readonly db: SqlExecutor) {}

  async advance(apiKey: string, nonce: bigint): Promise<NonceAdvance> {
    const raised = await this.db.query<Array<{ value: string }>>(
      `INSERT INTO ${NONCE_COUNTER_TABLE} AS counter (scope, api_key, value) VALUES ($1, $2, $3)
       ON CONFLICT (scope, api_key) DO UPDATE SET value = EXCLUDED.value WHERE counter.value < EXCLUDED.value
       RETURNING value::text AS value`,
      [ACCEPTED_SCOPE, apiKey, nonce.toString()],
    );
    return raised.length === 1 ? 'accepted' : 'not-increasing';
  }
}
