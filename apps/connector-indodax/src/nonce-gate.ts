import { PostgresIndodaxNonceSource, type IndodaxNonceSource, type SqlExecutor } from '@finmesh/signing';
import type { Pool, PoolClient } from 'pg';

/**
 * Runs one private call at a time per API key, with a fresh nonce drawn inside that turn.
 * Indodax accepts a nonce only above the last one it accepted: two calls in flight at once can
 * arrive in the other order and one is refused, so a key's calls are never concurrent.
 */
export interface NonceGate {
  run<T>(apiKey: string, call: (nonce: bigint) => Promise<T>): Promise<T>;
}

/** Serialises the calls of one process (a promise chain per key). */
class ProcessQueue {
  private readonly tails = new Map<string, Promise<void>>();

  async run<T>(key: string, work: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    let release: () => void = () => undefined;
    const mine = new Promise<void>((resolve) => {
      release = resolve;
    });
    const tail = previous.then(() => mine);
    this.tails.set(key, tail);
    try {
      await previous;
      return await work();
    } finally {
      release();
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }
}

/** For unit tests: one process, nonces from any source. */
export class ProcessNonceGate implements NonceGate {
  private readonly queue = new ProcessQueue();

  constructor(private readonly nonces: IndodaxNonceSource) {}

  run<T>(apiKey: string, call: (nonce: bigint) => Promise<T>): Promise<T> {
    return this.queue.run(apiKey, async () => call(await this.nonces.next(apiKey)));
  }
}

/** The pg client as the signing library's SQL executor (it only needs `query` returning rows). */
function executorOf(client: PoolClient): SqlExecutor {
  return { query: async (sql: string, parameters?: unknown[]) => (await client.query(sql, parameters)).rows } as SqlExecutor;
}

/**
 * Every replica and every restart: the turn is a PostgreSQL session advisory lock on the key
 * (freed by the server if the process dies), and the nonce comes from PostgresIndodaxNonceSource,
 * a counter row that only ever grows, so no nonce is reused after a restart or by another replica.
 */
export class PostgresNonceGate implements NonceGate {
  private readonly queue = new ProcessQueue();

  constructor(private readonly pool: Pool) {}

  run<T>(apiKey: string, call: (nonce: bigint) => Promise<T>): Promise<T> {
    // One pool connection per key at a time: the process queue keeps waiters off the pool.
    return this.queue.run(apiKey, async () => {
      const client = await this.pool.connect();
      const lockName = `indodax-tapi:${apiKey}`;
      let locked = false;
      let broken = false;
      try {
        await client.query('SELECT pg_advisory_lock(hashtextextended($1, 0))', [lockName]);
        locked = true;
        const nonce = await new PostgresIndodaxNonceSource(executorOf(client)).next(apiKey);
        return await call(nonce);
      } finally {
        if (locked) {
          await client.query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [lockName]).catch(() => {
            broken = true;
          });
        }
        // A connection that may still hold the lock is closed, never returned to the pool.
        client.release(broken);
      }
    });
  }
}
