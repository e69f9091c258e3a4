import type { Pool } from 'pg';
import { LedgerApiError } from '../api/api-error';

export interface ReversalResult {
  reversalJournalId: string;
  reversedJournalId: string;
  postings: number;
}

/**
 * Corrections never edit history: a journal is undone by a reversing journal with every posting
 * negated, dated now, linked to the original (at most one reversal per journal).
 */
export class LedgerCorrections {
  constructor(private readonly pool: Pool) {}

  async reverse(journalId: string, reason: string): Promise<ReversalResult> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const original = await client.query<{ id: string; kind: string; provider: string }>(
        `SELECT id::text AS id, kind, provider FROM ledger_journals WHERE id = $1`,
        [journalId],
      );
      const journal = original.rows[0];
      if (!journal) throw new LedgerApiError('not_found', `journal ${journalId} does not exist`);
      if (journal.kind === 'reversal') {
        throw new LedgerApiError('conflict', `journal ${journalId} is itself a reversal; post a new journal instead`);
      }
      // Same lock order as the batch processor: accounts with running balances, by id.
      const postings = await client.query<{ account_id: string; asset: string; amount: string; running: boolean }>(
        `SELECT p.account_id::text AS account_id, p.asset, p.amount::text AS amount, a.balance IS NOT NULL AS running
           FROM ledger_postings p JOIN ledger_accounts a ON a.id = p.account_id
          WHERE p.journal_id = $1 ORDER BY p.id`,
        [journalId],
      );
      const runningIds = [...new Set(postings.rows.filter((p) => p.running).map((p) => p.account_id))].sort(
        (a, b) => (BigInt(a) < BigInt(b) ? -1 : 1),
      );
      await client.query(`SELECT id FROM ledger_accounts WHERE id = ANY($1::bigint[]) ORDER BY id FOR UPDATE`, [runningIds]);

      const inserted = await client.query<{ id: string }>(
        `INSERT INTO ledger_journals (kind, provider, business_key, effective_at, description, reverses_journal_id)
         VALUES ('reversal', $1, $2, now(), $3, $4)
         ON CONFLICT DO NOTHING
         RETURNING id::text AS id`,
        [journal.provider, `reversal:${journalId}`, reason, journalId],
      );
      const reversal = inserted.rows[0];
      if (!reversal) throw new LedgerApiError('conflict', `journal ${journalId} is already reversed`);

      await client.query(
        `INSERT INTO ledger_postings (journal_id, account_id, asset, amount, effective_at)
         SELECT $1, p.account_id, p.asset, -p.amount, j.effective_at
           FROM ledger_postings p, ledger_journals j
          WHERE p.journal_id = $2 AND j.id = $1`,
        [reversal.id, journalId],
      );
      await client.query(
        `UPDATE ledger_accounts a SET balance = a.balance - t.total
           FROM (SELECT account_id, sum(amount) AS total FROM ledger_postings WHERE journal_id = $1 GROUP BY account_id) t
          WHERE a.id = t.account_id AND a.balance IS NOT NULL`,
        [journalId],
      );
      await client.query('COMMIT');
      return { reversalJournalId: reversal.id, reversedJournalId: journalId, postings: postings.rows.length };
    } catch (error: unknown) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }
}
