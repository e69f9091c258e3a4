import type { PoolClient } from 'pg';
import type { PaymentStatus, Provider } from '@finmesh/schemas';
import { accountSpecKey, hasRunningBalance, type LedgerAccountSpec } from './addresses';
import type {
  AccountState,
  DiscrepancyState,
  DraftJournal,
  HoldState,
  JournalRef,
  LedgerSnapshot,
  PaymentState,
  PostingEngine,
} from './posting-engine';

/**
 * The SQL of the hot path: a constant number of statements per batch, each multi-row
 * (unnest of arrays), never one query per event. Numerics travel as text, never as JS numbers.
 */

export interface ProcessedEventRow {
  eventId: string;
  eventType: string;
  topic: string;
  partition: number;
  offset: string;
}

/** Marks events processed and returns the ids that were not processed before. */
export async function markProcessed(client: PoolClient, rows: readonly ProcessedEventRow[]): Promise<Set<string>> {
  if (rows.length === 0) return new Set();
  const result = await client.query<{ event_id: string }>(
    `INSERT INTO ledger_processed_events (event_id, event_type, topic, kafka_partition, kafka_offset)
     SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::int[], $5::bigint[])
     ON CONFLICT (event_id) DO NOTHING
     RETURNING event_id`,
    [
      rows.map((r) => r.eventId),
      rows.map((r) => r.eventType),
      rows.map((r) => r.topic),
      rows.map((r) => r.partition),
      rows.map((r) => r.offset),
    ],
  );
  return new Set(result.rows.map((row) => row.event_id));
}

interface AccountRow {
  id: string;
  balance: string | null;
  opened_as_of: Date | null;
  opening_event_id: string | null;
}

/**
 * Account ids by `accountSpecKey`. Safe to keep for the life of the process: an account's address,
 * asset and id never change and accounts are never deleted (a trigger refuses it). Only ids of
 * committed rows may enter it: a batch learns ids into its own map and hands them over after COMMIT.
 */
export class AccountIdCache {
  private readonly ids = new Map<string, string>();

  constructor(private readonly capacity = 200_000) {}

  get(key: string): string | undefined {
    return this.ids.get(key);
  }

  set(key: string, id: string): void {
    if (this.ids.size >= this.capacity) this.ids.clear();
    this.ids.set(key, id);
  }
}

/**
 * Creates the accounts not known yet, then locks (in id order) those with running balances and
 * reads them. Shared accounts (external, fees, equity, in flight) are only posted to: their id is
 * all the batch needs, usually from the cache.
 */
export async function prepareAccounts(
  client: PoolClient,
  specs: readonly LedgerAccountSpec[],
  cache: AccountIdCache,
  learned: Map<string, string>,
): Promise<Map<string, AccountState>> {
  const unique = [...new Map(specs.map((spec) => [accountSpecKey(spec), spec])).values()];
  const accounts = new Map<string, AccountState>();
  if (unique.length === 0) return accounts;
  const known = (key: string): string | undefined => cache.get(key) ?? learned.get(key);
  const unknown = unique.filter((spec) => known(accountSpecKey(spec)) === undefined);
  if (unknown.length > 0) {
    await client.query(
      `INSERT INTO ledger_accounts (address, asset, kind, provider, provider_account_key, balance)
       SELECT address, asset, kind, provider, provider_account_key, CASE WHEN running THEN 0 END
         FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bool[])
           AS t(address, asset, kind, provider, provider_account_key, running)
       ORDER BY address, asset
       ON CONFLICT (address, asset) DO NOTHING`,
      [
        unknown.map((s) => s.address),
        unknown.map((s) => s.asset),
        unknown.map((s) => s.kind),
        unknown.map((s) => s.provider),
        unknown.map((s) => s.providerAccountKey),
        unknown.map((s) => hasRunningBalance(s.kind)),
      ],
    );
    const ids = await client.query<{ id: string; address: string; asset: string }>(
      `SELECT a.id::text AS id, a.address, a.asset
         FROM ledger_accounts a
         JOIN unnest($1::text[], $2::text[]) AS t(address, asset) ON a.address = t.address AND a.asset = t.asset`,
      [unknown.map((s) => s.address), unknown.map((s) => s.asset)],
    );
    for (const row of ids.rows) learned.set(accountSpecKey(row), row.id);
  }

  const idOf = (spec: LedgerAccountSpec): string => {
    const id = known(accountSpecKey(spec));
    if (id === undefined) throw new Error(`account ${spec.address} in ${spec.asset} could not be prepared`);
    return id;
  };
  const running = unique.filter((spec) => hasRunningBalance(spec.kind));
  // Accounts with running balances are locked so concurrent batches (other partitions, other
  // replicas) serialize on them; their state is read only after the lock is held.
  const locked = await client.query<AccountRow>(
    `SELECT id::text AS id, balance::text AS balance, opened_as_of, opening_event_id
       FROM ledger_accounts WHERE id = ANY($1::bigint[]) ORDER BY id FOR UPDATE`,
    [running.map(idOf)],
  );
  const rows = new Map(locked.rows.map((row) => [row.id, row]));
  for (const spec of unique) {
    const id = idOf(spec);
    const row = rows.get(id);
    if (hasRunningBalance(spec.kind) && !row) throw new Error(`account ${spec.address} in ${spec.asset} vanished`);
    accounts.set(accountSpecKey(spec), {
      id,
      spec,
      balance: row && row.balance !== null ? BigInt(row.balance) : null,
      openedAsOf: row?.opened_as_of ?? null,
      openingEventId: row?.opening_event_id ?? null,
      balanceChanged: false,
      openingChanged: false,
    });
  }
  return accounts;
}

interface PaymentRow {
  payment_key: string;
  provider: Provider;
  provider_payment_id: string;
  account_key: string;
  asset: string;
  amount: string;
  status: PaymentStatus | null;
  raw_scheme: string | null;
  raw_code: string | null;
  status_occurred_at: Date | null;
  hold_state: HoldState;
  hold_journal_id: string | null;
  release_journal_id: string | null;
  settled_by_journal_id: string | null;
  settled_transaction_id: string | null;
}

export interface PaymentSeed {
  key: string;
  provider: Provider;
  providerPaymentId: string;
  accountKey: string;
  asset: string;
  amount: bigint;
}

/**
 * Makes sure a row exists for every payment of the batch, then locks them all (in key order).
 * Inserting first matters: two batches that both saw "no row" would otherwise each decide on
 * their own (one taking a hold, the other settling it) and the later write would win.
 */
export async function lockPayments(client: PoolClient, seeds: readonly PaymentSeed[]): Promise<Map<string, PaymentState>> {
  const payments = new Map<string, PaymentState>();
  const unique = [...new Map(seeds.map((seed) => [seed.key, seed])).values()].sort((a, b) => (a.key < b.key ? -1 : 1));
  if (unique.length === 0) return payments;
  await client.query(
    `INSERT INTO ledger_payments (payment_key, provider, provider_payment_id, account_key, asset, amount, hold_state)
     SELECT *, 'none' FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::numeric[])
     ON CONFLICT (payment_key) DO NOTHING`,
    [
      unique.map((s) => s.key),
      unique.map((s) => s.provider),
      unique.map((s) => s.providerPaymentId),
      unique.map((s) => s.accountKey),
      unique.map((s) => s.asset),
      unique.map((s) => s.amount.toString()),
    ],
  );
  const keys = unique.map((seed) => seed.key);
  const result = await client.query<PaymentRow>(
    `SELECT payment_key, provider, provider_payment_id, account_key, asset, amount::text AS amount, status, raw_scheme,
            raw_code, status_occurred_at, hold_state, hold_journal_id::text AS hold_journal_id,
            release_journal_id::text AS release_journal_id, settled_by_journal_id::text AS settled_by_journal_id,
            settled_transaction_id
       FROM ledger_payments WHERE payment_key = ANY($1::text[]) ORDER BY payment_key FOR UPDATE`,
    [keys],
  );
  const stored = (id: string | null): JournalRef | null => (id === null ? null : { stored: id });
  for (const row of result.rows) {
    payments.set(row.payment_key, {
      key: row.payment_key,
      provider: row.provider,
      providerPaymentId: row.provider_payment_id,
      accountKey: row.account_key,
      asset: row.asset,
      amount: BigInt(row.amount),
      status: row.status,
      rawScheme: row.raw_scheme,
      rawCode: row.raw_code,
      statusOccurredAt: row.status_occurred_at,
      holdState: row.hold_state,
      holdJournal: stored(row.hold_journal_id),
      releaseJournal: stored(row.release_journal_id),
      settledByJournal: stored(row.settled_by_journal_id),
      settledTransactionId: row.settled_transaction_id,
      changed: false,
    });
  }
  return payments;
}

export async function findBookedTransactions(client: PoolClient, businessKeys: readonly string[]): Promise<Set<string>> {
  if (businessKeys.length === 0) return new Set();
  const result = await client.query<{ business_key: string }>(
    `SELECT business_key FROM ledger_journals WHERE kind = 'transaction' AND business_key = ANY($1::text[])`,
    [[...new Set(businessKeys)]],
  );
  return new Set(result.rows.map((row) => row.business_key));
}

export async function findOpenDiscrepancies(client: PoolClient, accountIds: readonly string[]): Promise<Map<string, DiscrepancyState>> {
  const open = new Map<string, DiscrepancyState>();
  if (accountIds.length === 0) return open;
  const result = await client.query<{
    id: string;
    account_id: string;
    account_key: string;
    provider: string;
    asset: string;
    ledger_balance: string;
    provider_balance: string;
    balance_event_id: string;
    as_of: Date;
  }>(
    `SELECT id::text AS id, account_id::text AS account_id, account_key, provider, asset, ledger_balance::text AS ledger_balance,
            provider_balance::text AS provider_balance, balance_event_id, as_of
       FROM ledger_discrepancies WHERE status = 'open' AND account_id = ANY($1::bigint[])`,
    [[...new Set(accountIds)]],
  );
  for (const row of result.rows) {
    open.set(row.account_id, {
      id: row.id,
      accountId: row.account_id,
      accountKey: row.account_key,
      provider: row.provider,
      asset: row.asset,
      status: 'open',
      ledgerBalance: BigInt(row.ledger_balance),
      providerBalance: BigInt(row.provider_balance),
      balanceEventId: row.balance_event_id,
      asOf: row.as_of,
      clearedByEventId: null,
      changed: false,
    });
  }
  return open;
}

/** For each (account, point in time): the sum of stored postings dated after it. */
export async function storedPostingsAfter(
  client: PoolClient,
  checkpoints: ReadonlyArray<{ accountId: string; asOf: Date }>,
): Promise<Map<string, bigint>> {
  const sums = new Map<string, bigint>();
  if (checkpoints.length === 0) return sums;
  const result = await client.query<{ account_id: string; as_of_ms: string; total: string }>(
    `SELECT t.account_id::text AS account_id, (extract(epoch FROM t.as_of) * 1000)::bigint::text AS as_of_ms,
            coalesce(sum(p.amount), 0)::text AS total
       FROM unnest($1::bigint[], $2::timestamptz[]) AS t(account_id, as_of)
       LEFT JOIN ledger_postings p ON p.account_id = t.account_id AND p.effective_at > t.as_of
      GROUP BY t.account_id, t.as_of`,
    [checkpoints.map((c) => c.accountId), checkpoints.map((c) => c.asOf.toISOString())],
  );
  for (const row of result.rows) sums.set(`${row.account_id}|${row.as_of_ms}`, BigInt(row.total));
  return sums;
}

export interface WriteSummary {
  journals: number;
  postings: number;
}

/** Writes everything the engine decided, in a fixed number of multi-row statements. */
export async function writeOutcome(
  client: PoolClient,
  engine: PostingEngine,
  snapshot: LedgerSnapshot,
): Promise<WriteSummary> {
  const journalIds = await insertJournals(client, engine.journals);
  const postings = await insertPostings(client, engine.journals, journalIds);
  await updateAccounts(client, [...snapshot.accounts.values()]);
  await upsertPayments(client, [...snapshot.payments.values()].filter((p) => p.changed), journalIds);
  await insertHistory(client, engine);
  await writeDiscrepancies(client, engine.discrepancies);
  await insertOutbox(client, engine);
  await closeAccounts(client, engine.closedAccounts);
  return { journals: engine.journals.length, postings };
}

async function insertJournals(client: PoolClient, journals: readonly DraftJournal[]): Promise<string[]> {
  if (journals.length === 0) return [];
  // Ids are taken first so postings can reference them in one statement, in the drafts' order.
  const ids = await client.query<{ id: string }>(
    `SELECT nextval('ledger_journals_id_seq')::text AS id FROM generate_series(1, $1::int)`,
    [journals.length],
  );
  const journalIds = ids.rows.map((row) => row.id);
  await client.query(
    `INSERT INTO ledger_journals (id, kind, provider, business_key, event_id, effective_at, description, payment_key)
     SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::uuid[], $6::timestamptz[], $7::text[], $8::text[])`,
    [
      journalIds,
      journals.map((j) => j.kind),
      journals.map((j) => j.provider),
      journals.map((j) => j.businessKey),
      journals.map((j) => j.eventId),
      journals.map((j) => j.effectiveAt.toISOString()),
      journals.map((j) => j.description),
      journals.map((j) => j.paymentKey),
    ],
  );
  return journalIds;
}

async function insertPostings(client: PoolClient, journals: readonly DraftJournal[], journalIds: readonly string[]): Promise<number> {
  const journalColumn: string[] = [];
  const accountColumn: string[] = [];
  const assetColumn: string[] = [];
  const amountColumn: string[] = [];
  const effectiveColumn: string[] = [];
  journals.forEach((journal, index) => {
    const journalId = journalIds[index];
    if (journalId === undefined) throw new Error('journal id missing');
    for (const posting of journal.postings) {
      journalColumn.push(journalId);
      accountColumn.push(posting.account.id);
      assetColumn.push(posting.account.spec.asset);
      amountColumn.push(posting.amount.toString());
      effectiveColumn.push(journal.effectiveAt.toISOString());
    }
  });
  if (journalColumn.length === 0) return 0;
  await client.query(
    `INSERT INTO ledger_postings (journal_id, account_id, asset, amount, effective_at)
     SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::numeric[], $5::timestamptz[])`,
    [journalColumn, accountColumn, assetColumn, amountColumn, effectiveColumn],
  );
  return journalColumn.length;
}

async function updateAccounts(client: PoolClient, accounts: readonly AccountState[]): Promise<void> {
  const changed = accounts.filter((a) => a.balanceChanged || a.openingChanged);
  if (changed.length === 0) return;
  await client.query(
    `UPDATE ledger_accounts a
        SET balance = CASE WHEN t.balance IS NULL THEN a.balance ELSE t.balance END,
            opened_as_of = coalesce(a.opened_as_of, t.opened_as_of),
            opening_event_id = coalesce(a.opening_event_id, t.opening_event_id)
       FROM unnest($1::bigint[], $2::numeric[], $3::timestamptz[], $4::uuid[]) AS t(id, balance, opened_as_of, opening_event_id)
      WHERE a.id = t.id`,
    [
      changed.map((a) => a.id),
      changed.map((a) => (a.balance === null ? null : a.balance.toString())),
      changed.map((a) => a.openedAsOf?.toISOString() ?? null),
      changed.map((a) => a.openingEventId),
    ],
  );
}

function journalId(ref: JournalRef | null, journalIds: readonly string[]): string | null {
  if (ref === null) return null;
  if ('stored' in ref) return ref.stored;
  const id = journalIds[ref.draft];
  if (id === undefined) throw new Error(`draft journal ${ref.draft} has no id`);
  return id;
}

async function upsertPayments(client: PoolClient, payments: readonly PaymentState[], journalIds: readonly string[]): Promise<void> {
  if (payments.length === 0) return;
  await client.query(
    `INSERT INTO ledger_payments (payment_key, provider, provider_payment_id, account_key, asset, amount, status, raw_scheme, raw_code,
                                  status_occurred_at, hold_state, hold_journal_id, release_journal_id, settled_by_journal_id,
                                  settled_transaction_id)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::numeric[], $7::text[], $8::text[], $9::text[],
                          $10::timestamptz[], $11::text[], $12::bigint[], $13::bigint[], $14::bigint[], $15::text[])
     ON CONFLICT (payment_key) DO UPDATE SET
       status = excluded.status, raw_scheme = excluded.raw_scheme, raw_code = excluded.raw_code,
       status_occurred_at = excluded.status_occurred_at, hold_state = excluded.hold_state,
       hold_journal_id = excluded.hold_journal_id, release_journal_id = excluded.release_journal_id,
       settled_by_journal_id = excluded.settled_by_journal_id, settled_transaction_id = excluded.settled_transaction_id,
       updated_at = now()`,
    [
      payments.map((p) => p.key),
      payments.map((p) => p.provider),
      payments.map((p) => p.providerPaymentId),
      payments.map((p) => p.accountKey),
      payments.map((p) => p.asset),
      payments.map((p) => p.amount.toString()),
      payments.map((p) => p.status),
      payments.map((p) => p.rawScheme),
      payments.map((p) => p.rawCode),
      payments.map((p) => p.statusOccurredAt?.toISOString() ?? null),
      payments.map((p) => p.holdState),
      payments.map((p) => journalId(p.holdJournal, journalIds)),
      payments.map((p) => journalId(p.releaseJournal, journalIds)),
      payments.map((p) => journalId(p.settledByJournal, journalIds)),
      payments.map((p) => p.settledTransactionId),
    ],
  );
}

async function insertHistory(client: PoolClient, engine: PostingEngine): Promise<void> {
  const rows = engine.history;
  if (rows.length === 0) return;
  await client.query(
    `INSERT INTO ledger_payment_status_history (payment_key, event_id, status, raw_scheme, raw_code, source, decision, occurred_at, observed_at)
     SELECT * FROM unnest($1::text[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::timestamptz[], $9::timestamptz[])`,
    [
      rows.map((r) => r.paymentKey),
      rows.map((r) => r.eventId),
      rows.map((r) => r.status),
      rows.map((r) => r.rawScheme),
      rows.map((r) => r.rawCode),
      rows.map((r) => r.source),
      rows.map((r) => r.decision),
      rows.map((r) => r.occurredAt.toISOString()),
      rows.map((r) => r.observedAt.toISOString()),
    ],
  );
}

async function writeDiscrepancies(client: PoolClient, discrepancies: readonly DiscrepancyState[]): Promise<void> {
  const changed = discrepancies.filter((d) => d.changed);
  const existing = changed.filter((d) => d.id !== null);
  const created = changed.filter((d) => d.id === null);
  if (existing.length > 0) {
    await client.query(
      `UPDATE ledger_discrepancies d
          SET status = t.status, ledger_balance = t.ledger_balance, provider_balance = t.provider_balance,
              difference = t.provider_balance - t.ledger_balance, balance_event_id = t.balance_event_id, as_of = t.as_of,
              cleared_at = CASE WHEN t.status = 'cleared' THEN now() END, cleared_by_event_id = t.cleared_by_event_id,
              updated_at = now()
         FROM unnest($1::bigint[], $2::text[], $3::numeric[], $4::numeric[], $5::uuid[], $6::timestamptz[], $7::uuid[])
           AS t(id, status, ledger_balance, provider_balance, balance_event_id, as_of, cleared_by_event_id)
        WHERE d.id = t.id`,
      [
        existing.map((d) => d.id),
        existing.map((d) => d.status),
        existing.map((d) => d.ledgerBalance.toString()),
        existing.map((d) => d.providerBalance.toString()),
        existing.map((d) => d.balanceEventId),
        existing.map((d) => d.asOf.toISOString()),
        existing.map((d) => d.clearedByEventId),
      ],
    );
  }
  if (created.length > 0) {
    await client.query(
      `INSERT INTO ledger_discrepancies (account_id, account_key, provider, asset, status, ledger_balance, provider_balance, difference,
                                         balance_event_id, as_of, cleared_at, cleared_by_event_id)
       SELECT account_id, account_key, provider, asset, status, ledger_balance, provider_balance, provider_balance - ledger_balance,
              balance_event_id, as_of, CASE WHEN status = 'cleared' THEN now() END, cleared_by_event_id
         FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::numeric[], $7::numeric[], $8::uuid[],
                     $9::timestamptz[], $10::uuid[])
           AS t(account_id, account_key, provider, asset, status, ledger_balance, provider_balance, balance_event_id, as_of, cleared_by_event_id)`,
      [
        created.map((d) => d.accountId),
        created.map((d) => d.accountKey),
        created.map((d) => d.provider),
        created.map((d) => d.asset),
        created.map((d) => d.status),
        created.map((d) => d.ledgerBalance.toString()),
        created.map((d) => d.providerBalance.toString()),
        created.map((d) => d.balanceEventId),
        created.map((d) => d.asOf.toISOString()),
        created.map((d) => d.clearedByEventId),
      ],
    );
  }
}

async function insertOutbox(client: PoolClient, engine: PostingEngine): Promise<void> {
  if (engine.outbox.length === 0) return;
  await client.query(
    `INSERT INTO ledger_outbox (event_id, event_type, payload)
     SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[])
     ON CONFLICT (event_id) DO NOTHING`,
    [engine.outbox.map((e) => e.id), engine.outbox.map((e) => e.type), engine.outbox.map((e) => JSON.stringify(e))],
  );
}

async function closeAccounts(client: PoolClient, closed: ReadonlyArray<{ accountKey: string; closedAt: Date }>): Promise<void> {
  if (closed.length === 0) return;
  await client.query(
    `UPDATE ledger_accounts a SET closed_at = t.closed_at
       FROM unnest($1::text[], $2::timestamptz[]) AS t(account_key, closed_at)
      WHERE a.provider_account_key = t.account_key AND a.closed_at IS NULL`,
    [closed.map((c) => c.accountKey), closed.map((c) => c.closedAt.toISOString())],
  );
}
