import type { Pool } from 'pg';

export interface StoredWithdrawal {
  requestId: string;
  currency: string;
  state: 'sending' | 'accepted' | 'refused';
  withdrawId: string | undefined;
  submitTime: string | undefined;
  /** How many times withdrawCoin was called for it (more than one only after an unknown outcome). */
  attempts: number;
}

interface Row {
  request_id: string;
  currency: string;
  state: StoredWithdrawal['state'];
  withdraw_id: string | null;
  submit_time: string | null;
  attempts: number;
}

/** Table indodax_withdrawals: request_id ↔ withdraw_id, and the state of the send. */
export class WithdrawalStore {
  constructor(private readonly pool: Pool) {}

  /** Records that withdrawCoin is about to be called; returns the row as it was before (undefined: first attempt). */
  async beginAttempt(input: { requestId: string; currency: string; address: string; amount: string }): Promise<StoredWithdrawal | undefined> {
    const before = await this.get(input.requestId);
    await this.pool.query(
      `INSERT INTO indodax_withdrawals (request_id, currency, address, amount, state, attempts) VALUES ($1, $2, $3, $4, 'sending', 1)
       ON CONFLICT (request_id) DO UPDATE SET attempts = indodax_withdrawals.attempts + 1, updated_at = now()`,
      [input.requestId, input.currency, input.address, input.amount],
    );
    return before;
  }

  async accepted(requestId: string, withdrawId: string, submitTime: string): Promise<void> {
    await this.pool.query(`UPDATE indodax_withdrawals SET state = 'accepted', withdraw_id = $2, submit_time = $3, updated_at = now() WHERE request_id = $1`, [
      requestId,
      withdrawId,
      submitTime,
    ]);
  }

  async refused(requestId: string): Promise<void> {
    await this.pool.query(`UPDATE indodax_withdrawals SET state = 'refused', updated_at = now() WHERE request_id = $1`, [requestId]);
  }

  async get(requestId: string): Promise<StoredWithdrawal | undefined> {
    const row = (await this.pool.query<Row>('SELECT * FROM indodax_withdrawals WHERE request_id = $1', [requestId])).rows[0];
    return row === undefined ? undefined : toStored(row);
  }

  async isKnownWithdrawId(withdrawId: string): Promise<boolean> {
    return ((await this.pool.query('SELECT 1 FROM indodax_withdrawals WHERE withdraw_id = $1', [withdrawId])).rowCount ?? 0) > 0;
  }

  /** The request_id of each withdraw_id finmesh sent, in one query. */
  async requestIdsOf(withdrawIds: readonly string[]): Promise<Map<string, string>> {
    if (withdrawIds.length === 0) return new Map();
    const rows = await this.pool.query<{ request_id: string; withdraw_id: string }>(
      'SELECT request_id, withdraw_id FROM indodax_withdrawals WHERE withdraw_id = ANY($1::text[])',
      [withdrawIds],
    );
    return new Map(rows.rows.map((row) => [row.withdraw_id, row.request_id]));
  }
}

function toStored(row: Row): StoredWithdrawal {
  return {
    requestId: row.request_id,
    currency: row.currency,
    state: row.state,
    withdrawId: row.withdraw_id ?? undefined,
    submitTime: row.submit_time ?? undefined,
    attempts: row.attempts,
  };
}
