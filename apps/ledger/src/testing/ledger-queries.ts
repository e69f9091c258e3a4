import type { Pool } from 'pg';

/** Read-side helpers for tests: balances and invariants straight from the tables. */
export async function balanceOf(pool: Pool, address: string, asset = 'EUR/2'): Promise<string> {
  const result = await pool.query<{ total: string }>(
    `SELECT coalesce(sum(p.amount), 0)::text AS total
       FROM ledger_postings p JOIN ledger_accounts a ON a.id = p.account_id
      WHERE a.address = $1 AND a.asset = $2`,
    [address, asset],
  );
  return result.rows[0]?.total ?? '0';
}

/** Every invariant the ledger promises; returns the violations (empty when all hold). */
export async function invariantViolations(pool: Pool): Promise<string[]> {
  const violations: string[] = [];
  const perAsset = await pool.query<{ asset: string; total: string }>(
    `SELECT asset, sum(amount)::text AS total FROM ledger_postings GROUP BY asset HAVING sum(amount) <> 0`,
  );
  for (const row of perAsset.rows) violations.push(`asset ${row.asset} sums to ${row.total}`);
  const perJournal = await pool.query<{ journal_id: string }>(
    `SELECT journal_id::text FROM ledger_postings GROUP BY journal_id, asset HAVING sum(amount) <> 0`,
  );
  for (const row of perJournal.rows) violations.push(`journal ${row.journal_id} is unbalanced`);
  const running = await pool.query<{ address: string; balance: string; total: string }>(
    `SELECT a.address, a.balance::text AS balance, coalesce(sum(p.amount), 0)::text AS total
       FROM ledger_accounts a LEFT JOIN ledger_postings p ON p.account_id = a.id
      WHERE a.balance IS NOT NULL
      GROUP BY a.id HAVING a.balance <> coalesce(sum(p.amount), 0)`,
  );
  for (const row of running.rows) violations.push(`${row.address}: running balance ${row.balance} ≠ postings ${row.total}`);
  // A holds account is the sum of the holds still open: never below zero.
  const negativeHolds = await pool.query<{ address: string; balance: string }>(
    `SELECT address, balance::text AS balance FROM ledger_accounts WHERE kind = 'holds' AND balance < 0`,
  );
  for (const row of negativeHolds.rows) violations.push(`${row.address}: holds below zero (${row.balance})`);
  const heldPayments = await pool.query<{ account_key: string; held: string; holds: string }>(
    `SELECT p.account_key, sum(p.amount)::text AS held, a.balance::text AS holds
       FROM ledger_payments p
       JOIN ledger_accounts a ON a.provider_account_key = p.account_key AND a.kind = 'holds' AND a.asset = p.asset
      WHERE p.hold_state = 'held'
      GROUP BY p.account_key, a.balance HAVING sum(p.amount) <> a.balance`,
  );
  for (const row of heldPayments.rows) violations.push(`${row.account_key}: payments held ${row.held} ≠ holds ${row.holds}`);
  return violations;
}

/** A fingerprint of the ledger's effects, independent of ids and insertion times. */
export async function ledgerFingerprint(pool: Pool): Promise<string> {
  const balances = await pool.query<{ address: string; asset: string; total: string }>(
    `SELECT a.address, a.asset, coalesce(sum(p.amount), 0)::text AS total
       FROM ledger_accounts a LEFT JOIN ledger_postings p ON p.account_id = a.id
      GROUP BY a.address, a.asset ORDER BY a.address, a.asset`,
  );
  const journals = await pool.query<{ kind: string; business_key: string }>(
    `SELECT kind, business_key FROM ledger_journals ORDER BY kind, business_key`,
  );
  const payments = await pool.query<{ payment_key: string; status: string | null; hold_state: string }>(
    `SELECT payment_key, status, hold_state FROM ledger_payments ORDER BY payment_key`,
  );
  const discrepancies = await pool.query<{ account_key: string; status: string; difference: string }>(
    `SELECT account_key, status, difference::text AS difference FROM ledger_discrepancies WHERE status = 'open' ORDER BY account_key`,
  );
  return JSON.stringify([balances.rows, journals.rows, payments.rows, discrepancies.rows]);
}
