// Integration test, real parts: PostgreSQL (a database private to this suite, migrated with the ledger's migrations).
import { runMigrations } from '@finmesh/persistence';
import { createTestDatabase } from '@finmesh/testing';
import { Pool } from 'pg';
import type { DataSource } from 'typeorm';
import {
  balanceEvent,
  paymentStatusEvent,
  recordOf,
  transactionEvent,
} from '../testing/ledger-fixtures';
import { balanceOf, invariantViolations, ledgerFingerprint } from '../testing/ledger-queries';
import { LedgerBatchProcessor } from './batch-processor';
import { createLedgerDataSource } from './ledger-database';

describe('LedgerBatchProcessor against the real PostgreSQL', () => {
  let dataSource: DataSource;
  let pool: Pool;
  let processor: LedgerBatchProcessor;

  beforeAll(async () => {
    const url = await createTestDatabase('ledger-processor');
    dataSource = createLedgerDataSource(url, 2);
    await dataSource.initialize();
    await runMigrations(dataSource);
    pool = new Pool({ connectionString: url, max: 4 });
    processor = new LedgerBatchProcessor(pool, () => new Date('2026-01-01T00:00:00Z'));
  });

  afterAll(async () => {
    await pool.end();
    await dataSource.destroy();
  });

  afterEach(async () => {
    expect(await invariantViolations(pool)).toEqual([]);
  });

  it('books a credit with its fee as one balanced journal', async () => {
    const outcome = await processor.process([
      recordOf(transactionEvent('acc-fee', 'tx-1', '100.00', '2026-01-02T10:00:00Z', { fee: '1.50' })),
    ]);
    expect(outcome).toMatchObject({ applied: 1, duplicates: 0, journals: 1, postings: 3, rejected: [] });
    expect(await balanceOf(pool, 'providers:indexo:accounts:acc-fee')).toBe('9850');
    expect(await balanceOf(pool, 'providers:indexo:fees')).toBe('150');
    const journal = await pool.query<{ kind: string; n: string }>(
      `SELECT j.kind, count(p.id)::text AS n FROM ledger_journals j JOIN ledger_postings p ON p.journal_id = j.id
        WHERE j.business_key = 'indexo:acc-fee|EUR/2|tx-1' GROUP BY j.kind`,
    );
    expect(journal.rows).toEqual([{ kind: 'transaction', n: '3' }]);
  });

  it('books a debit: the account loses the gross amount, the fee is kept apart', async () => {
    await processor.process([
      recordOf(transactionEvent('acc-debit', 'tx-d1', '50.00', '2026-01-02T10:00:00Z', { direction: 'debit', fee: '0.25' })),
    ]);
    expect(await balanceOf(pool, 'providers:indexo:accounts:acc-debit')).toBe('-5000');
  });

  it('skips duplicates within a batch, across batches and in a replayed batch', async () => {
    const txA = transactionEvent('acc-dup', 'tx-a', '10.00', '2026-01-02T10:00:00Z');
    const txB = transactionEvent('acc-dup', 'tx-b', '20.00', '2026-01-02T11:00:00Z');
    const events = [txA, txB];
    const first = await processor.process([recordOf(txA), recordOf(txB), recordOf(txA)]);
    expect(first).toMatchObject({ applied: 2, duplicates: 1 });
    const before = await ledgerFingerprint(pool);
    const replay = await processor.process(events.map((event) => recordOf(event)));
    expect(replay).toMatchObject({ applied: 0, duplicates: 2, journals: 0 });
    expect(await ledgerFingerprint(pool)).toBe(before);
    expect(await balanceOf(pool, 'providers:indexo:accounts:acc-dup')).toBe('3000');
  });

  it('books a provider entry once even when it arrives under another event id', async () => {
    const pending = transactionEvent('acc-pend', 'tx-p', '5.00', '2026-01-02T10:00:00Z', { status: 'pending' });
    const booked = transactionEvent('acc-pend', 'tx-p', '5.00', '2026-01-02T10:00:00Z');
    const again = { ...booked, source: 'callback' as const };
    const outcome = await processor.process([recordOf(pending), recordOf(booked), recordOf(again)]);
    expect(outcome.journals).toBe(1);
    expect(await balanceOf(pool, 'providers:indexo:accounts:acc-pend')).toBe('500');
  });

  it('rejects an invalid message to the DLQ and still applies the rest of the batch', async () => {
    const good = recordOf(transactionEvent('acc-poison', 'tx-ok', '1.00', '2026-01-02T10:00:00Z'));
    const malformed = { ...good, offset: '999001', value: Buffer.from('{"id": 1') };
    const wrongId = recordOf({ ...transactionEvent('acc-poison', 'tx-x', '1.00', '2026-01-02T10:00:00Z'), id: '00000000-0000-8000-8000-000000000009' });
    const outcome = await processor.process([malformed, good, wrongId]);
    expect(outcome.applied).toBe(1);
    expect(outcome.rejected.map((r) => r.record.offset)).toEqual([malformed.offset, wrongId.offset]);
    expect(outcome.rejected[1]?.reason).toMatch(/deterministic id/);
    expect(await balanceOf(pool, 'providers:indexo:accounts:acc-poison')).toBe('100');
  });

  it('opens an account from its first balance, reconciles later ones, and clears a discrepancy', async () => {
    await processor.process([recordOf(balanceEvent('acc-rec', '1000.00', '2026-01-01T00:00:00Z'))]);
    expect(await balanceOf(pool, 'providers:indexo:accounts:acc-rec')).toBe('100000');
    expect(await balanceOf(pool, 'equity:opening:indexo')).not.toBe('0');

    // The provider shows a movement the ledger has not booked yet: a discrepancy opens.
    const disagreeing = balanceEvent('acc-rec', '1200.00', '2026-01-03T00:00:00Z');
    const opened = await processor.process([recordOf(disagreeing)]);
    expect(opened.discrepancyEvents).toBe(1);
    const open = await pool.query(`SELECT status, difference::text AS difference, ledger_balance::text AS ledger FROM ledger_discrepancies WHERE account_key = 'indexo:acc-rec'`);
    expect(open.rows).toEqual([{ status: 'open', difference: '20000', ledger: '100000' }]);

    // The booking arrives; the next balance agrees and clears it.
    await processor.process([
      recordOf(transactionEvent('acc-rec', 'tx-rec', '200.00', '2026-01-02T12:00:00Z')),
      recordOf(balanceEvent('acc-rec', '1200.00', '2026-01-04T00:00:00Z')),
    ]);
    const cleared = await pool.query(`SELECT status FROM ledger_discrepancies WHERE account_key = 'indexo:acc-rec'`);
    expect(cleared.rows).toEqual([{ status: 'cleared' }]);
    const outbox = await pool.query<{ payload: string }>(`SELECT payload FROM ledger_outbox ORDER BY id`);
    const statuses = outbox.rows.map((row) => (JSON.parse(row.payload) as { data: { status: string } }).data.status);
    expect(statuses.slice(-2)).toEqual(['open', 'cleared']);
  });

  it('clears a discrepancy when the booking it waited for arrives, without another balance', async () => {
    await processor.process([recordOf(balanceEvent('acc-wait', '1000.00', '2026-01-01T00:00:00Z'))]);
    const disagreeing = balanceEvent('acc-wait', '1250.00', '2026-01-03T00:00:00Z');
    await processor.process([recordOf(disagreeing)]);
    const status = async (): Promise<Array<{ status: string; cleared_by: string | null }>> =>
      (await pool.query<{ status: string; cleared_by: string | null }>(`SELECT status, cleared_by_event_id::text AS cleared_by FROM ledger_discrepancies WHERE account_key = 'indexo:acc-wait'`)).rows;

    // A booking dated after the compared point, and one that explains only part of the gap: still open.
    await processor.process([recordOf(transactionEvent('acc-wait', 'tx-late', '50.00', '2026-01-05T00:00:00Z'))]);
    const partial = await processor.process([recordOf(transactionEvent('acc-wait', 'tx-part', '100.00', '2026-01-02T00:00:00Z'))]);
    expect(partial.discrepancyEvents).toBe(0);
    expect(await status()).toEqual([{ status: 'open', cleared_by: null }]);

    // The rest of the gap: the comparison at 01-03 agrees now.
    const rest = transactionEvent('acc-wait', 'tx-rest', '150.00', '2026-01-02T12:00:00Z');
    const cleared = await processor.process([recordOf(rest)]);
    expect(cleared.discrepancyEvents).toBe(1);
    expect(await status()).toEqual([{ status: 'cleared', cleared_by: rest.id }]);
    const outbox = await pool.query<{ payload: string }>(`SELECT payload FROM ledger_outbox ORDER BY id DESC LIMIT 1`);
    const event = JSON.parse(outbox.rows[0]?.payload ?? '{}') as { account: { key: string }; occurredAt: string; data: Record<string, unknown> };
    expect(event).toMatchObject({
      account: { key: 'indexo:acc-wait' },
      occurredAt: '2026-01-03T00:00:00.000Z',
      data: { status: 'cleared', balanceEventId: disagreeing.id, ledgerBalance: { amount: '125000', asset: 'EUR/2' }, difference: { amount: '0', asset: 'EUR/2' } },
    });
  });

  it('keeps the opening balance exact when bookings dated before it arrive before or after it', async () => {
    await processor.process([recordOf(transactionEvent('acc-open', 'early-1', '30.00', '2026-01-01T08:00:00Z'))]);
    // The balance at 12:00 includes early-1 and early-2 (which the ledger has not seen yet).
    await processor.process([recordOf(balanceEvent('acc-open', '80.00', '2026-01-01T12:00:00Z'))]);
    expect(await balanceOf(pool, 'providers:indexo:accounts:acc-open')).toBe('8000');
    await processor.process([
      recordOf(transactionEvent('acc-open', 'early-2', '50.00', '2026-01-01T09:00:00Z')),
      recordOf(transactionEvent('acc-open', 'later', '5.00', '2026-01-01T13:00:00Z')),
      recordOf(balanceEvent('acc-open', '85.00', '2026-01-01T14:00:00Z')),
    ]);
    expect(await balanceOf(pool, 'providers:indexo:accounts:acc-open')).toBe('8500');
    const open = await pool.query(`SELECT 1 FROM ledger_discrepancies WHERE account_key = 'indexo:acc-open' AND status = 'open'`);
    expect(open.rowCount).toBe(0);
  });

  it('holds a payment while in flight, books it once when settled by polling and by callback, and never moves it back', async () => {
    const account = 'acc-pay';
    await processor.process([recordOf(balanceEvent(account, '500.00', '2026-01-01T00:00:00Z'))]);
    await processor.process([recordOf(paymentStatusEvent(account, 'pay-1', '100.00', 'RCVD', '2026-01-02T10:00:00Z'))]);
    expect(await balanceOf(pool, `providers:indexo:accounts:${account}:holds`)).toBe('10000');

    await processor.process([
      recordOf(paymentStatusEvent(account, 'pay-1', '100.00', 'ACSC', '2026-01-02T10:05:00Z', 'callback')),
      recordOf(paymentStatusEvent(account, 'pay-1', '100.00', 'ACSC', '2026-01-02T10:05:00Z', 'poll')),
      // A late, older status: recorded, never applied.
      recordOf(paymentStatusEvent(account, 'pay-1', '100.00', 'ACSP', '2026-01-02T10:03:00Z')),
    ]);
    await processor.process([
      recordOf(transactionEvent(account, 'tx-pay-1', '100.00', '2026-01-02T10:06:00Z', { direction: 'debit', paymentId: 'pay-1' })),
    ]);
    expect(await balanceOf(pool, `providers:indexo:accounts:${account}`)).toBe('40000');
    expect(await balanceOf(pool, `providers:indexo:accounts:${account}:holds`)).toBe('0');
    const payment = await pool.query(`SELECT status, hold_state, settled_transaction_id FROM ledger_payments WHERE payment_key = 'indexo:pay-1'`);
    expect(payment.rows).toEqual([{ status: 'settled', hold_state: 'released', settled_transaction_id: 'tx-pay-1' }]);
    const history = await pool.query<{ decision: string }>(`SELECT decision FROM ledger_payment_status_history WHERE payment_key = 'indexo:pay-1' ORDER BY id`);
    // The callback and the poll report the same fact, so they carry the same event id: one row.
    expect(history.rows.map((r) => r.decision)).toEqual(['applied', 'applied', 'stale']);
  });

  it('releases the hold of a rejected payment', async () => {
    await processor.process([
      recordOf(paymentStatusEvent('acc-rej', 'pay-rej', '70.00', 'RCVD', '2026-01-02T10:00:00Z')),
      recordOf(paymentStatusEvent('acc-rej', 'pay-rej', '70.00', 'RJCT', '2026-01-02T10:01:00Z')),
    ]);
    expect(await balanceOf(pool, 'providers:indexo:accounts:acc-rej:holds')).toBe('0');
    const payment = await pool.query(`SELECT status, hold_state FROM ledger_payments WHERE payment_key = 'indexo:pay-rej'`);
    expect(payment.rows).toEqual([{ status: 'rejected', hold_state: 'released' }]);
  });

  it('takes no hold for a payment whose booking arrived before its status', async () => {
    await processor.process([
      recordOf(transactionEvent('acc-early', 'tx-early', '10.00', '2026-01-02T10:00:00Z', { direction: 'debit', paymentId: 'pay-early' })),
      recordOf(paymentStatusEvent('acc-early', 'pay-early', '10.00', 'ACSP', '2026-01-02T09:59:00Z')),
    ]);
    expect(await balanceOf(pool, 'providers:indexo:accounts:acc-early:holds')).toBe('0');
    expect(await balanceOf(pool, 'providers:indexo:accounts:acc-early')).toBe('-1000');
  });

  it("keeps holds right when a payment's status and its booking are processed at the same time", async () => {
    // Two topics, two partitions, two concurrent batches: neither may overwrite the other's decision.
    for (let i = 0; i < 25; i += 1) {
      await Promise.all([
        processor.process([recordOf(paymentStatusEvent('acc-race', `pay-race-${i}`, '10.00', 'RCVD', '2026-01-02T10:00:00Z'))]),
        processor.process([
          recordOf(transactionEvent('acc-race', `tx-race-${i}`, '10.00', '2026-01-02T10:01:00Z', { direction: 'debit', paymentId: `pay-race-${i}` })),
        ]),
      ]);
    }
    expect(await balanceOf(pool, 'providers:indexo:accounts:acc-race:holds')).toBe('0');
    const held = await pool.query(`SELECT payment_key FROM ledger_payments WHERE payment_key LIKE 'indexo:pay-race-%' AND hold_state = 'held'`);
    expect(held.rows).toEqual([]);
  });

  it('refuses to change or delete journals and postings, and refuses an unbalanced journal', async () => {
    await expect(pool.query(`UPDATE ledger_postings SET amount = amount + 1`)).rejects.toThrow(/append-only/);
    await expect(pool.query(`DELETE FROM ledger_journals`)).rejects.toThrow(/append-only/);
    await expect(pool.query(`TRUNCATE ledger_postings CASCADE`)).rejects.toThrow(/append-only/);
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      const journal = await client.query<{ id: string }>(
        `INSERT INTO ledger_journals (kind, provider, business_key, effective_at) VALUES ('adjustment', 'indexo', 'probe', now()) RETURNING id::text`,
      );
      const account = await client.query<{ id: string }>(`SELECT id::text FROM ledger_accounts WHERE asset = 'EUR/2' LIMIT 1`);
      await expect(
        client.query(`INSERT INTO ledger_postings (journal_id, account_id, asset, amount, effective_at) VALUES ($1, $2, 'EUR/2', 1, now())`, [
          journal.rows[0]?.id,
          account.rows[0]?.id,
        ]),
      ).rejects.toThrow(/does not balance/);
    } finally {
      await client.query('ROLLBACK');
      client.release();
    }
  });
});
