import type { Pool } from 'pg';

/** A payment as the ledger keeps it (`ledger_payments`). */
export interface LedgerPaymentRow {
  status: string;
  hold_state: string;
  settled_transaction_id: string | null;
}

/**
 * Reads a ledger's tables for the suites of other apps (they run the ledger as a process and
 * cannot import it): an account's running balance and a payment's state, for one provider.
 * Undefined while the row, or the schema, does not exist yet (the ledger migrates at boot).
 */
export class LedgerProbe {
  constructor(
    private readonly pool: Pool,
    private readonly provider: string,
  ) {}

  /** The booked balance of the provider account, in minor units. */
  async balance(accountId: string): Promise<string | undefined> {
    const rows = await this.rows<{ balance: string }>('SELECT balance::text AS balance FROM ledger_accounts WHERE address = $1', [
      `providers:${this.provider}:accounts:${accountId}`,
    ]);
    return rows[0]?.balance;
  }

  async payment(providerPaymentId: string): Promise<LedgerPaymentRow | undefined> {
    const rows = await this.rows<LedgerPaymentRow>('SELECT status, hold_state, settled_transaction_id FROM ledger_payments WHERE payment_key = $1', [
      `${this.provider}:${providerPaymentId}`,
    ]);
    return rows[0];
  }

  private async rows<Row extends object>(sql: string, values: unknown[]): Promise<Row[]> {
    try {
      return (await this.pool.query<Row>(sql, values)).rows;
    } catch (error: unknown) {
      if ((error as { code?: string }).code === '42P01') return []; // not migrated yet
      throw error;
    }
  }
}
