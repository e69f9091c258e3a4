import type { Pool } from 'pg';
import type { EventPublisher } from '@finmesh/kafka';
import { FinmeshEventSchema } from '@finmesh/schemas';

export interface OutboxRelayOptions {
  /** How often the relay looks for unpublished rows when nobody nudged it. */
  pollIntervalMs?: number;
  batchSize?: number;
  onPublished?: (count: number) => void;
  onError?: (error: unknown) => void;
}

/**
 * Publishes the events the ledger wrote to its outbox in the same transaction as the postings
 * (discrepancy findings), then marks them published. A crash between the two publishes a row
 * again after restart: its deterministic id lets every consumer drop the repeat.
 */
export class OutboxRelay {
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private draining: Promise<void> | undefined;
  private nudged = false;

  constructor(
    private readonly pool: Pool,
    private readonly publisher: EventPublisher,
    private readonly options: OutboxRelayOptions = {},
  ) {}

  start(): void {
    this.running = true;
    this.scheduleNext(0);
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    await this.draining;
  }

  /** Asks for a drain soon (after a batch wrote outbox rows). */
  nudge(): void {
    this.nudged = true;
    if (this.running && !this.draining) this.scheduleNext(0);
  }

  /** Publishes everything unpublished now; returns how many rows it published. */
  async drain(): Promise<number> {
    let total = 0;
    for (;;) {
      const published = await this.publishBatch();
      total += published;
      if (published < (this.options.batchSize ?? 500)) return total;
    }
  }

  private scheduleNext(delayMs: number): void {
    if (!this.running) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.nudged = false;
      this.draining = this.drain()
        .then((count) => {
          if (count > 0) this.options.onPublished?.(count);
        })
        .catch((error: unknown) => this.options.onError?.(error))
        .finally(() => {
          this.draining = undefined;
          this.scheduleNext(this.nudged ? 0 : (this.options.pollIntervalMs ?? 1_000));
        });
    }, delayMs);
  }

  private async publishBatch(): Promise<number> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      // SKIP LOCKED: several ledger replicas relay without publishing the same row at once.
      const rows = await client.query<{ id: string; payload: string }>(
        `SELECT id::text AS id, payload FROM ledger_outbox WHERE published_at IS NULL ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED`,
        [this.options.batchSize ?? 500],
      );
      if (rows.rows.length === 0) {
        await client.query('COMMIT');
        return 0;
      }
      const events = rows.rows.map((row) => FinmeshEventSchema.parse(JSON.parse(row.payload)));
      await this.publisher.publish(events);
      await client.query(`UPDATE ledger_outbox SET published_at = now() WHERE id = ANY($1::bigint[])`, [rows.rows.map((r) => r.id)]);
      await client.query('COMMIT');
      return rows.rows.length;
    } catch (error: unknown) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }
}
