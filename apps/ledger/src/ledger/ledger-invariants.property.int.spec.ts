// Property test, real parts: PostgreSQL (a database private to this suite). fast-check generates
// event streams with duplicates, reordering and replays; the ledger's invariants must hold.
import { runMigrations } from '@finmesh/persistence';
import type { FinmeshEvent } from '@finmesh/schemas';
import { createTestDatabase } from '@finmesh/testing';
import fc from 'fast-check';
import { Pool } from 'pg';
import type { DataSource } from 'typeorm';
import { balanceEvent, paymentStatusEvent, recordOf, transactionEvent } from '../testing/ledger-fixtures';
import { invariantViolations, ledgerFingerprint } from '../testing/ledger-queries';
import { LedgerBatchProcessor } from './batch-processor';
import { createLedgerDataSource } from './ledger-database';

const hour = (h: number): string => new Date(Date.UTC(2026, 0, 1, h)).toISOString();
const cents = (n: number): string => `${Math.floor(n / 100)}.${String(n % 100).padStart(2, '0')}`;

/** One generated fact, turned into an event once the run's account prefix is known. */
type Fact =
  | { kind: 'tx'; account: number; id: number; amount: number; fee: number; debit: boolean; at: number; payment: number | null }
  | { kind: 'balance'; account: number; amount: number; at: number }
  | { kind: 'status'; account: number; payment: number; amount: number; code: string; at: number };

const factArbitrary: fc.Arbitrary<Fact> = fc.oneof(
  fc.record({
    kind: fc.constant('tx' as const),
    account: fc.integer({ min: 0, max: 2 }),
    id: fc.integer({ min: 0, max: 30 }),
    amount: fc.integer({ min: 1, max: 1_000_000 }),
    fee: fc.integer({ min: 0, max: 100 }),
    debit: fc.boolean(),
    at: fc.integer({ min: 0, max: 47 }),
    payment: fc.option(fc.integer({ min: 0, max: 3 }), { nil: null }),
  }),
  fc.record({
    kind: fc.constant('balance' as const),
    account: fc.integer({ min: 0, max: 2 }),
    amount: fc.integer({ min: 0, max: 5_000_000 }),
    at: fc.integer({ min: 0, max: 47 }),
  }),
  fc.record({
    kind: fc.constant('status' as const),
    account: fc.integer({ min: 0, max: 2 }),
    payment: fc.integer({ min: 0, max: 3 }),
    amount: fc.integer({ min: 1, max: 100_000 }),
    code: fc.constantFrom('RCVD', 'ACTC', 'ACSP', 'ACSC', 'RJCT', 'CANC'),
    at: fc.integer({ min: 0, max: 47 }),
  }),
);

function toEvent(fact: Fact, run: string): FinmeshEvent {
  const account = `${run}-acc-${fact.account}`;
  switch (fact.kind) {
    case 'tx': {
      // A transaction id identifies one provider entry: its amount and date are part of it.
      const amount = Math.max(fact.amount, fact.fee);
      return transactionEvent(account, `${run}-tx-${fact.id}-${amount}-${fact.at}`, cents(amount), hour(fact.at), {
        direction: fact.debit ? 'debit' : 'credit',
        ...(fact.fee > 0 ? { fee: cents(fact.fee) } : {}),
        ...(fact.payment === null ? {} : { paymentId: `${run}-pay-${fact.payment}` }),
      });
    }
    case 'balance':
      return balanceEvent(account, cents(fact.amount), hour(fact.at));
    case 'status':
      // A payment's amount and account are fixed for its life; the generator picks them per payment.
      return paymentStatusEvent(`${run}-acc-${fact.payment % 3}`, `${run}-pay-${fact.payment}`, cents(1_000 + fact.payment), fact.code, hour(fact.at));
  }
}

describe('ledger invariants under random event streams', () => {
  let dataSource: DataSource;
  let pool: Pool;
  let run = 0;

  beforeAll(async () => {
    const url = await createTestDatabase('ledger-properties');
    dataSource = createLedgerDataSource(url, 2);
    await dataSource.initialize();
    await runMigrations(dataSource);
    pool = new Pool({ connectionString: url, max: 4 });
  });

  afterAll(async () => {
    await pool.end();
    await dataSource.destroy();
  });

  it('keeps every asset at zero, running balances equal to postings, and a replay changes nothing', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(factArbitrary, { minLength: 1, maxLength: 40 }),
        fc.array(fc.nat(), { minLength: 1, maxLength: 40 }),
        fc.array(fc.integer({ min: 1, max: 12 }), { minLength: 1, maxLength: 20 }),
        async (facts, duplicatePicks, batchSizes) => {
          run += 1;
          const prefix = `r${run}`;
          const events = facts.map((fact) => toEvent(fact, prefix));
          // Duplicates (a re-sync, a callback after a poll) anywhere in the stream.
          const stream = [...events];
          for (const pick of duplicatePicks) {
            const duplicate = events[pick % events.length];
            if (duplicate) stream.splice(pick % (stream.length + 1), 0, duplicate);
          }
          const processor = new LedgerBatchProcessor(pool);
          const processStream = async (): Promise<void> => {
            let position = 0;
            let sizeIndex = 0;
            while (position < stream.length) {
              const size = batchSizes[sizeIndex % batchSizes.length] ?? 5;
              sizeIndex += 1;
              const outcome = await processor.process(stream.slice(position, position + size).map((event) => recordOf(event)));
              expect(outcome.rejected).toEqual([]);
              position += size;
            }
          };

          await processStream();
          expect(await invariantViolations(pool)).toEqual([]);
          const once = await ledgerFingerprint(pool);

          // The whole stream again, as after a crash that lost every offset commit.
          await processStream();
          expect(await ledgerFingerprint(pool)).toBe(once);
          expect(await invariantViolations(pool)).toEqual([]);
        },
      ),
      { numRuns: 30 },
    );
  });
});
