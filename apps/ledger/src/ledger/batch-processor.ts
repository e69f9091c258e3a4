import type { Pool } from 'pg';
import type { ConsumedRecord, RejectedRecord } from '@finmesh/kafka';
import { EventValidationError, parseConsumedEvent, type FinmeshEvent } from '@finmesh/schemas';
import { accountSpecKey, LedgerAccounts } from './addresses';
import {
  AccountIdCache,
  findBookedTransactions,
  findOpenDiscrepancies,
  lockPayments,
  markProcessed,
  prepareAccounts,
  storedPostingsAfter,
  writeOutcome,
  type PaymentSeed,
} from './ledger-store';
import {
  accountsNeededBy,
  accountsOfPayment,
  balanceCheckpoints,
  PostingEngine,
  transactionBusinessKey,
  type LedgerSnapshot,
} from './posting-engine';

export interface BatchOutcome {
  rejected: RejectedRecord[];
  /** Events applied for the first time. */
  applied: number;
  /** Events already processed before (or twice in this batch): skipped. */
  duplicates: number;
  journals: number;
  postings: number;
  /** Discrepancy events written to the outbox. */
  discrepancyEvents: number;
}

/** The ledger's events; the others on the bus are not its business. */
const LEDGER_EVENT_TYPES = new Set<FinmeshEvent['type']>(['transaction.posted', 'balance.updated', 'payment.status_changed', 'account.closed']);

/**
 * One Kafka batch → one PostgreSQL transaction. Every record is validated against the event
 * contract (a failure is rejected to the DLQ, the rest go on); event ids go into the
 * processed-events table in the same transaction as the postings, so a replayed batch has no
 * second effect.
 */
export class LedgerBatchProcessor {
  private readonly accountIds = new AccountIdCache();

  constructor(
    private readonly pool: Pool,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async process(records: readonly ConsumedRecord[]): Promise<BatchOutcome> {
    const rejected: RejectedRecord[] = [];
    const valid: Array<{ record: ConsumedRecord; event: FinmeshEvent }> = [];
    const seen = new Set<string>();
    let duplicates = 0;
    for (const record of records) {
      let event: FinmeshEvent;
      try {
        event = parseConsumedEvent(record.topic, record.value);
      } catch (error: unknown) {
        if (error instanceof EventValidationError) {
          rejected.push({ record, reason: error.message });
          continue;
        }
        throw error;
      }
      if (!LEDGER_EVENT_TYPES.has(event.type)) {
        rejected.push({ record, reason: `the ledger does not consume ${event.type} events` });
        continue;
      }
      if (seen.has(event.id)) {
        duplicates += 1;
        continue;
      }
      seen.add(event.id);
      valid.push({ record, event });
    }

    const outcome: BatchOutcome = { rejected, applied: 0, duplicates, journals: 0, postings: 0, discrepancyEvents: 0 };
    if (valid.length === 0) return outcome;

    const client = await this.pool.connect();
    const learnedAccountIds = new Map<string, string>();
    try {
      await client.query('BEGIN');
      const fresh = await markProcessed(
        client,
        valid.map(({ record, event }) => ({
          eventId: event.id,
          eventType: event.type,
          topic: record.topic,
          partition: record.partition,
          offset: record.offset,
        })),
      );
      const events = valid.filter(({ event }) => fresh.has(event.id)).map(({ event }) => event);
      outcome.duplicates += valid.length - events.length;
      if (events.length > 0) {
        const snapshot = await this.snapshotFor(client, events, learnedAccountIds);
        const engine = new PostingEngine(snapshot, this.now);
        for (const event of events) engine.apply(event);
        const written = await writeOutcome(client, engine, snapshot);
        outcome.applied = events.length;
        outcome.journals = written.journals;
        outcome.postings = written.postings;
        outcome.discrepancyEvents = engine.outbox.length;
      }
      await client.query('COMMIT');
      for (const [key, id] of learnedAccountIds) this.accountIds.set(key, id);
      return outcome;
    } catch (error: unknown) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  private async snapshotFor(
    client: Parameters<typeof prepareAccounts>[0],
    events: readonly FinmeshEvent[],
    learnedAccountIds: Map<string, string>,
  ): Promise<LedgerSnapshot> {
    // Lock order, the same in every batch: payments, then accounts (by id).
    const paymentSeeds = events.flatMap((event): PaymentSeed[] => {
      const ref = event.type === 'payment.status_changed' || event.type === 'transaction.posted' ? event.payment : undefined;
      if (!ref || (event.type !== 'payment.status_changed' && event.type !== 'transaction.posted')) return [];
      return [
        {
          key: ref.key,
          provider: ref.provider,
          providerPaymentId: ref.id,
          accountKey: event.account.key,
          asset: event.data.amount.asset,
          amount: BigInt(event.data.amount.amount),
        },
      ];
    });
    const payments = await lockPayments(client, paymentSeeds);
    const accounts = await prepareAccounts(
      client,
      [...events.flatMap(accountsNeededBy), ...[...payments.values()].flatMap(accountsOfPayment)],
      this.accountIds,
      learnedAccountIds,
    );
    const bookedTransactionKeys = await findBookedTransactions(
      client,
      events.flatMap((event) => (event.type === 'transaction.posted' && event.data.status === 'booked' ? [transactionBusinessKey(event)] : [])),
    );
    const checkpoints = balanceCheckpoints(events).map(({ spec, asOf }) => {
      const account = accounts.get(accountSpecKey(spec));
      if (!account) throw new Error(`account ${spec.address} was not prepared`);
      return { accountId: account.id, asOf };
    });
    // Accounts a booking lands on: an open discrepancy there is compared again (at its own point).
    const bookedAccountIds = events.flatMap((event) => {
      if (event.type !== 'transaction.posted' || event.data.status !== 'booked') return [];
      const account = accounts.get(accountSpecKey(LedgerAccounts.providerAccount(event.account, event.data.amount.asset)));
      return account ? [account.id] : [];
    });
    const openDiscrepancies = await findOpenDiscrepancies(client, [...checkpoints.map((c) => c.accountId), ...bookedAccountIds]);
    const recheckPoints = [...new Set(bookedAccountIds)].flatMap((accountId) => {
      const open = openDiscrepancies.get(accountId);
      return open ? [{ accountId, asOf: open.asOf }] : [];
    });
    const postingsAfter = await storedPostingsAfter(client, [...checkpoints, ...recheckPoints]);
    return { accounts, payments, bookedTransactionKeys, openDiscrepancies, storedPostingsAfter: postingsAfter };
  }
}
