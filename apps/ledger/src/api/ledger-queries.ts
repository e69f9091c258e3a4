import type { Pool } from 'pg';
import type { Money } from '@finmesh/schemas';
import { LedgerApiError } from './api-error';
import { decodeCursor, pageOf, type Page } from './pagination';

export interface AccountView {
  id: string;
  address: string;
  asset: string;
  kind: string;
  provider: string;
  providerAccountKey: string | null;
  openedAsOf: string | null;
  closedAt: string | null;
  balance: Money;
}

export interface BalanceView {
  accountId: string;
  address: string;
  providerAccountKey: string | null;
  asset: string;
  asOf: string;
  booked: Money;
  held: Money;
  available: Money;
}

export interface PostingView {
  accountId: string;
  address: string;
  amount: Money;
}

export interface JournalView {
  id: string;
  kind: string;
  provider: string;
  businessKey: string;
  eventId: string | null;
  effectiveAt: string;
  description: string | null;
  paymentKey: string | null;
  reversesJournalId: string | null;
  createdAt: string;
  postings: PostingView[];
}

export interface PaymentView {
  paymentKey: string;
  provider: string;
  providerPaymentId: string;
  accountKey: string;
  amount: Money;
  status: string | null;
  rawStatus: { scheme: string; code: string } | null;
  holdState: string;
  settledTransactionId: string | null;
  updatedAt: string;
}

export interface StatusHistoryView {
  eventId: string;
  status: string;
  rawStatus: { scheme: string; code: string };
  source: string;
  decision: string;
  occurredAt: string;
  observedAt: string;
}

export interface DiscrepancyView {
  id: string;
  accountKey: string;
  provider: string;
  asset: string;
  status: string;
  ledgerBalance: Money;
  providerBalance: Money;
  difference: Money;
  balanceEventId: string;
  asOf: string;
  openedAt: string;
  clearedAt: string | null;
}

const money = (amount: string, asset: string): Money => ({ amount, asset });
const iso = (value: Date | null): string | null => (value === null ? null : value.toISOString());

/** The read side of the ledger: plain SQL over the same tables the batch processor writes. */
export class LedgerQueries {
  constructor(private readonly pool: Pool) {}

  async accounts(filter: {
    provider?: string;
    asset?: string;
    addressPrefix?: string;
    kind?: string;
    cursor?: string;
    limit: number;
  }): Promise<Page<AccountView>> {
    const after = decodeCursor(filter.cursor);
    const result = await this.pool.query<{
      id: string;
      address: string;
      asset: string;
      kind: string;
      provider: string;
      provider_account_key: string | null;
      opened_as_of: Date | null;
      closed_at: Date | null;
      balance: string;
    }>(
      `SELECT a.id::text AS id, a.address, a.asset, a.kind, a.provider, a.provider_account_key, a.opened_as_of, a.closed_at,
              coalesce(a.balance, (SELECT coalesce(sum(p.amount), 0) FROM ledger_postings p WHERE p.account_id = a.id))::text AS balance
         FROM ledger_accounts a
        WHERE ($1::text IS NULL OR a.provider = $1)
          AND ($2::text IS NULL OR a.asset = $2)
          AND ($3::text IS NULL OR starts_with(a.address, $3))
          AND ($4::text IS NULL OR a.kind = $4)
          AND ($5::bigint IS NULL OR a.id > $5)
        ORDER BY a.id
        LIMIT $6`,
      [filter.provider ?? null, filter.asset ?? null, filter.addressPrefix ?? null, filter.kind ?? null, after, filter.limit + 1],
    );
    return pageOf(
      result.rows.map((row) => ({
        id: row.id,
        address: row.address,
        asset: row.asset,
        kind: row.kind,
        provider: row.provider,
        providerAccountKey: row.provider_account_key,
        openedAsOf: iso(row.opened_as_of),
        closedAt: iso(row.closed_at),
        balance: money(row.balance, row.asset),
      })),
      filter.limit,
    );
  }

  /**
   * Booked, held and available balances of provider accounts at a point in time (now by default):
   * booked counts postings dated up to it, held the open holds, available = booked − held.
   */
  async balances(filter: { provider?: string; accountKey?: string; asset?: string; asOf?: Date }): Promise<BalanceView[]> {
    const asOf = filter.asOf ?? new Date();
    const result = await this.pool.query<{
      id: string;
      address: string;
      provider_account_key: string | null;
      asset: string;
      booked: string;
      held: string;
    }>(
      `SELECT a.id::text AS id, a.address, a.provider_account_key, a.asset,
              (SELECT coalesce(sum(p.amount), 0) FROM ledger_postings p WHERE p.account_id = a.id AND p.effective_at <= $4)::text AS booked,
              (SELECT coalesce(sum(p.amount), 0) FROM ledger_postings p
                 JOIN ledger_accounts h ON h.id = p.account_id
                WHERE h.address = a.address || ':holds' AND h.asset = a.asset AND p.effective_at <= $4)::text AS held
         FROM ledger_accounts a
        WHERE a.kind = 'provider_account'
          AND ($1::text IS NULL OR a.provider = $1)
          AND ($2::text IS NULL OR a.provider_account_key = $2)
          AND ($3::text IS NULL OR a.asset = $3)
        ORDER BY a.provider_account_key, a.asset`,
      [filter.provider ?? null, filter.accountKey ?? null, filter.asset ?? null, asOf.toISOString()],
    );
    return result.rows.map((row) => ({
      accountId: row.id,
      address: row.address,
      providerAccountKey: row.provider_account_key,
      asset: row.asset,
      asOf: asOf.toISOString(),
      booked: money(row.booked, row.asset),
      held: money(row.held, row.asset),
      available: money((BigInt(row.booked) - BigInt(row.held)).toString(), row.asset),
    }));
  }

  async journals(filter: { accountId?: string; kind?: string; paymentKey?: string; cursor?: string; limit: number }): Promise<Page<JournalView>> {
    const after = decodeCursor(filter.cursor);
    const result = await this.pool.query<JournalRow>(
      `SELECT j.id::text AS id, j.kind, j.provider, j.business_key, j.event_id, j.effective_at, j.description, j.payment_key,
              j.reverses_journal_id::text AS reverses_journal_id, j.created_at
         FROM ledger_journals j
        WHERE ($1::bigint IS NULL OR EXISTS (SELECT 1 FROM ledger_postings p WHERE p.journal_id = j.id AND p.account_id = $1))
          AND ($2::text IS NULL OR j.kind = $2)
          AND ($3::text IS NULL OR j.payment_key = $3)
          AND ($4::bigint IS NULL OR j.id > $4)
        ORDER BY j.id
        LIMIT $5`,
      [filter.accountId ?? null, filter.kind ?? null, filter.paymentKey ?? null, after, filter.limit + 1],
    );
    const page = pageOf(result.rows, filter.limit);
    return { data: await this.withPostings(page.data), nextCursor: page.nextCursor };
  }

  async journal(id: string): Promise<JournalView> {
    const result = await this.pool.query<JournalRow>(
      `SELECT j.id::text AS id, j.kind, j.provider, j.business_key, j.event_id, j.effective_at, j.description, j.payment_key,
              j.reverses_journal_id::text AS reverses_journal_id, j.created_at
         FROM ledger_journals j WHERE j.id = $1`,
      [id],
    );
    const [journal] = await this.withPostings(result.rows);
    if (!journal) throw new LedgerApiError('not_found', `journal ${id} does not exist`);
    return journal;
  }

  async payments(filter: { provider?: string; status?: string; cursor?: string; limit: number }): Promise<Page<PaymentView>> {
    const after = filter.cursor === undefined ? null : decodeTextCursor(filter.cursor);
    const result = await this.pool.query<PaymentRow>(
      `SELECT payment_key, provider, provider_payment_id, account_key, asset, amount::text AS amount, status, raw_scheme, raw_code,
              hold_state, settled_transaction_id, updated_at
         FROM ledger_payments
        WHERE ($1::text IS NULL OR provider = $1) AND ($2::text IS NULL OR status = $2) AND ($3::text IS NULL OR payment_key > $3)
        ORDER BY payment_key
        LIMIT $4`,
      [filter.provider ?? null, filter.status ?? null, after, filter.limit + 1],
    );
    const rows = result.rows.map(paymentView);
    const data = rows.slice(0, filter.limit);
    const last = data[data.length - 1];
    return { data, nextCursor: rows.length > filter.limit && last ? encodeTextCursor(last.paymentKey) : null };
  }

  async payment(paymentKey: string): Promise<PaymentView & { history: StatusHistoryView[] }> {
    const result = await this.pool.query<PaymentRow>(
      `SELECT payment_key, provider, provider_payment_id, account_key, asset, amount::text AS amount, status, raw_scheme, raw_code,
              hold_state, settled_transaction_id, updated_at
         FROM ledger_payments WHERE payment_key = $1`,
      [paymentKey],
    );
    const row = result.rows[0];
    if (!row) throw new LedgerApiError('not_found', `payment ${paymentKey} is not known to the ledger`);
    const history = await this.pool.query<{
      event_id: string;
      status: string;
      raw_scheme: string;
      raw_code: string;
      source: string;
      decision: string;
      occurred_at: Date;
      observed_at: Date;
    }>(
      `SELECT event_id, status, raw_scheme, raw_code, source, decision, occurred_at, observed_at
         FROM ledger_payment_status_history WHERE payment_key = $1 ORDER BY id`,
      [paymentKey],
    );
    return {
      ...paymentView(row),
      history: history.rows.map((h) => ({
        eventId: h.event_id,
        status: h.status,
        rawStatus: { scheme: h.raw_scheme, code: h.raw_code },
        source: h.source,
        decision: h.decision,
        occurredAt: h.occurred_at.toISOString(),
        observedAt: h.observed_at.toISOString(),
      })),
    };
  }

  async discrepancies(filter: { status?: string; provider?: string; cursor?: string; limit: number }): Promise<Page<DiscrepancyView>> {
    const after = decodeCursor(filter.cursor);
    const result = await this.pool.query<{
      id: string;
      account_key: string;
      provider: string;
      asset: string;
      status: string;
      ledger_balance: string;
      provider_balance: string;
      difference: string;
      balance_event_id: string;
      as_of: Date;
      opened_at: Date;
      cleared_at: Date | null;
    }>(
      `SELECT id::text AS id, account_key, provider, asset, status, ledger_balance::text AS ledger_balance,
              provider_balance::text AS provider_balance, difference::text AS difference, balance_event_id, as_of, opened_at, cleared_at
         FROM ledger_discrepancies
        WHERE ($1::text IS NULL OR status = $1) AND ($2::text IS NULL OR provider = $2) AND ($3::bigint IS NULL OR id > $3)
        ORDER BY id
        LIMIT $4`,
      [filter.status ?? null, filter.provider ?? null, after, filter.limit + 1],
    );
    return pageOf(
      result.rows.map((row) => ({
        id: row.id,
        accountKey: row.account_key,
        provider: row.provider,
        asset: row.asset,
        status: row.status,
        ledgerBalance: money(row.ledger_balance, row.asset),
        providerBalance: money(row.provider_balance, row.asset),
        difference: money(row.difference, row.asset),
        balanceEventId: row.balance_event_id,
        asOf: row.as_of.toISOString(),
        openedAt: row.opened_at.toISOString(),
        clearedAt: iso(row.cleared_at),
      })),
      filter.limit,
    );
  }

  private async withPostings(rows: readonly JournalRow[]): Promise<JournalView[]> {
    if (rows.length === 0) return [];
    const postings = await this.pool.query<{ journal_id: string; account_id: string; address: string; asset: string; amount: string }>(
      `SELECT p.journal_id::text AS journal_id, p.account_id::text AS account_id, a.address, p.asset, p.amount::text AS amount
         FROM ledger_postings p JOIN ledger_accounts a ON a.id = p.account_id
        WHERE p.journal_id = ANY($1::bigint[])
        ORDER BY p.id`,
      [rows.map((row) => row.id)],
    );
    const byJournal = new Map<string, PostingView[]>();
    for (const posting of postings.rows) {
      const list = byJournal.get(posting.journal_id) ?? [];
      list.push({ accountId: posting.account_id, address: posting.address, amount: money(posting.amount, posting.asset) });
      byJournal.set(posting.journal_id, list);
    }
    return rows.map((row) => ({
      id: row.id,
      kind: row.kind,
      provider: row.provider,
      businessKey: row.business_key,
      eventId: row.event_id,
      effectiveAt: row.effective_at.toISOString(),
      description: row.description,
      paymentKey: row.payment_key,
      reversesJournalId: row.reverses_journal_id,
      createdAt: row.created_at.toISOString(),
      postings: byJournal.get(row.id) ?? [],
    }));
  }
}

interface JournalRow {
  id: string;
  kind: string;
  provider: string;
  business_key: string;
  event_id: string | null;
  effective_at: Date;
  description: string | null;
  payment_key: string | null;
  reverses_journal_id: string | null;
  created_at: Date;
}

interface PaymentRow {
  payment_key: string;
  provider: string;
  provider_payment_id: string;
  account_key: string;
  asset: string;
  amount: string;
  status: string | null;
  raw_scheme: string | null;
  raw_code: string | null;
  hold_state: string;
  settled_transaction_id: string | null;
  updated_at: Date;
}

function paymentView(row: PaymentRow): PaymentView {
  return {
    paymentKey: row.payment_key,
    provider: row.provider,
    providerPaymentId: row.provider_payment_id,
    accountKey: row.account_key,
    amount: money(row.amount, row.asset),
    status: row.status,
    rawStatus: row.raw_scheme !== null && row.raw_code !== null ? { scheme: row.raw_scheme, code: row.raw_code } : null,
    holdState: row.hold_state,
    settledTransactionId: row.settled_transaction_id,
    updatedAt: row.updated_at.toISOString(),
  };
}

function encodeTextCursor(key: string): string {
  return Buffer.from(`k1:${key}`, 'utf8').toString('base64url');
}

function decodeTextCursor(cursor: string): string {
  const decoded = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!decoded.startsWith('k1:') || decoded.length > 400) {
    throw new LedgerApiError('invalid_request', 'cursor is not one this API returned');
  }
  return decoded.slice(3);
}
