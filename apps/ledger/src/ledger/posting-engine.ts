import {
  accountRef,
  createEvent,
  decideTransition,
  isTerminalPaymentStatus,
  moneyFromMinorUnits,
  type AccountClosedEvent,
  type BalanceUpdatedEvent,
  type FinmeshEvent,
  type LedgerDiscrepancyEvent,
  type PaymentStatus,
  type PaymentStatusChangedEvent,
  type Provider,
  type TransactionPostedEvent,
  type TransitionDecision,
} from '@finmesh/schemas';
import { accountSpecKey, hasRunningBalance, LedgerAccounts, type LedgerAccountSpec } from './addresses';

export type JournalKind = 'transaction' | 'opening' | 'opening_adjustment' | 'hold' | 'hold_release';

/** A journal already in the database, or one drafted in this batch (by its index). */
export type JournalRef = { stored: string } | { draft: number };

export interface AccountState {
  id: string;
  spec: LedgerAccountSpec;
  /** Running balance including this batch's postings; null for accounts summed on read. */
  balance: bigint | null;
  openedAsOf: Date | null;
  openingEventId: string | null;
  balanceChanged: boolean;
  openingChanged: boolean;
}

export type HoldState = 'none' | 'held' | 'released';

export interface PaymentState {
  key: string;
  provider: Provider;
  providerPaymentId: string;
  accountKey: string;
  asset: string;
  amount: bigint;
  status: PaymentStatus | null;
  rawScheme: string | null;
  rawCode: string | null;
  statusOccurredAt: Date | null;
  holdState: HoldState;
  holdJournal: JournalRef | null;
  releaseJournal: JournalRef | null;
  settledByJournal: JournalRef | null;
  settledTransactionId: string | null;
  changed: boolean;
}

export interface DiscrepancyState {
  /** null for a discrepancy opened in this batch. */
  id: string | null;
  accountId: string;
  accountKey: string;
  provider: string;
  asset: string;
  status: 'open' | 'cleared';
  ledgerBalance: bigint;
  providerBalance: bigint;
  balanceEventId: string;
  asOf: Date;
  clearedByEventId: string | null;
  changed: boolean;
}

export interface DraftJournal {
  kind: JournalKind;
  provider: string;
  businessKey: string;
  eventId: string;
  effectiveAt: Date;
  description: string | null;
  paymentKey: string | null;
  postings: Array<{ account: AccountState; amount: bigint }>;
}

export interface StatusHistoryRow {
  paymentKey: string;
  eventId: string;
  status: PaymentStatus;
  rawScheme: string;
  rawCode: string;
  source: string;
  decision: 'applied' | 'same' | 'stale' | 'invalid';
  occurredAt: Date;
  observedAt: Date;
}

/** What the batch found in the database before applying its events (rows locked where needed). */
export interface LedgerSnapshot {
  accounts: Map<string, AccountState>;
  payments: Map<string, PaymentState>;
  bookedTransactionKeys: Set<string>;
  openDiscrepancies: Map<string, DiscrepancyState>;
  /** Sum of stored postings of an account dated after a point in time: key `${accountId}|${epochMs}`. */
  storedPostingsAfter: Map<string, bigint>;
}

/** The accounts an event needs; the batch creates missing ones and locks those with running balances. */
export function accountsNeededBy(event: FinmeshEvent): LedgerAccountSpec[] {
  switch (event.type) {
    case 'transaction.posted': {
      if (event.data.status !== 'booked') return [];
      const asset = event.data.amount.asset;
      const specs = [
        LedgerAccounts.providerAccount(event.account, asset),
        LedgerAccounts.external(event.provider, asset),
        LedgerAccounts.fees(event.provider, asset),
        LedgerAccounts.openingEquity(event.provider, asset),
      ];
      return specs;
    }
    case 'balance.updated':
      return [
        LedgerAccounts.providerAccount(event.account, event.data.asset),
        LedgerAccounts.openingEquity(event.provider, event.data.asset),
      ];
    case 'payment.status_changed': {
      const asset = event.data.amount.asset;
      return [
        LedgerAccounts.providerAccount(event.account, asset),
        LedgerAccounts.holds(event.account, asset),
        LedgerAccounts.inFlight(event.provider, asset),
      ];
    }
    case 'account.closed':
    case 'callback.received':
    case 'ledger.discrepancy':
      return [];
  }
}

export function transactionBusinessKey(event: TransactionPostedEvent): string {
  return `${event.account.key}|${event.data.amount.asset}|${event.data.providerTransactionId}`;
}

/** The balance events of a batch, whose "stored postings after asOf" the snapshot must hold. */
export function balanceCheckpoints(events: readonly FinmeshEvent[]): Array<{ spec: LedgerAccountSpec; asOf: Date }> {
  return events
    .filter((event): event is BalanceUpdatedEvent => event.type === 'balance.updated')
    .map((event) => ({ spec: LedgerAccounts.providerAccount(event.account, event.data.asset), asOf: new Date(event.data.asOf) }));
}

/**
 * Applies validated, not-yet-processed events, in order, to the snapshot: drafts journals,
 * moves holds and payment statuses, reconciles balances. Pure: the batch processor writes the
 * outcome in the same database transaction that marked the events processed.
 */
export class PostingEngine {
  readonly journals: DraftJournal[] = [];
  readonly history: StatusHistoryRow[] = [];
  readonly discrepancies: DiscrepancyState[] = [];
  readonly outbox: LedgerDiscrepancyEvent[] = [];
  readonly closedAccounts: Array<{ accountKey: string; closedAt: Date }> = [];
  private readonly batchPostings = new Map<string, Array<{ at: number; amount: bigint }>>();

  constructor(
    private readonly snapshot: LedgerSnapshot,
    private readonly now: () => Date,
  ) {}

  apply(event: FinmeshEvent): void {
    switch (event.type) {
      case 'transaction.posted':
        this.applyTransaction(event);
        return;
      case 'balance.updated':
        this.applyBalance(event);
        return;
      case 'payment.status_changed':
        this.applyPaymentStatus(event);
        return;
      case 'account.closed':
        this.applyAccountClosed(event);
        return;
      case 'callback.received':
      case 'ledger.discrepancy':
        return;
    }
  }

  private applyTransaction(event: TransactionPostedEvent): void {
    // A pending entry is an announcement; only the provider's booked entry moves money.
    if (event.data.status !== 'booked' || event.data.bookedAt === undefined) return;
    const businessKey = transactionBusinessKey(event);
    // The same provider entry under another event id (e.g. seen first as pending) books once.
    if (this.snapshot.bookedTransactionKeys.has(businessKey)) return;
    this.snapshot.bookedTransactionKeys.add(businessKey);

    const asset = event.data.amount.asset;
    const gross = BigInt(event.data.amount.amount);
    const fee = event.data.fee ? BigInt(event.data.fee.amount) : 0n;
    const account = this.account(LedgerAccounts.providerAccount(event.account, asset));
    const external = this.account(LedgerAccounts.external(event.provider, asset));
    const fees = this.account(LedgerAccounts.fees(event.provider, asset));
    const net = event.data.direction === 'credit' ? gross - fee : -gross;
    const effectiveAt = new Date(event.data.bookedAt);

    const journalIndex = this.addJournal({
      kind: 'transaction',
      provider: event.provider,
      businessKey,
      eventId: event.id,
      effectiveAt,
      description: event.data.description ?? `${event.data.kind} ${event.data.providerTransactionId}`,
      paymentKey: event.payment?.key ?? null,
      postings:
        event.data.direction === 'credit'
          ? [{ account, amount: net }, { account: fees, amount: fee }, { account: external, amount: -gross }]
          : [{ account, amount: net }, { account: external, amount: gross - fee }, { account: fees, amount: fee }],
    });

    // The opening balance already contains entries dated up to its asOf: take them out of it again.
    if (account.openedAsOf !== null && effectiveAt.getTime() <= account.openedAsOf.getTime()) {
      this.addJournal({
        kind: 'opening_adjustment',
        provider: event.provider,
        businessKey,
        eventId: event.id,
        effectiveAt: account.openedAsOf,
        description: `already in the opening balance: ${event.data.providerTransactionId}`,
        paymentKey: null,
        postings: [
          { account, amount: -net },
          { account: this.account(LedgerAccounts.openingEquity(event.provider, asset)), amount: net },
        ],
      });
    }

    if (event.payment) this.settlePayment(event, journalIndex, gross);
    this.recheckAfterBooking(account, event, effectiveAt);
  }

  /**
   * A booking dated at or before an open discrepancy's point changes the ledger's side of that
   * comparison: compare again, so a discrepancy that only waited for its booking clears now
   * instead of at the provider's next balance.
   */
  private recheckAfterBooking(account: AccountState, booking: TransactionPostedEvent, effectiveAt: Date): void {
    const open = this.snapshot.openDiscrepancies.get(account.id);
    if (!open || effectiveAt.getTime() > open.asOf.getTime()) return;
    const ledgerBalance = this.ledgerBalanceAsOf(account, open.asOf);
    if (ledgerBalance !== open.providerBalance) return;
    Object.assign(open, { status: 'cleared', ledgerBalance, clearedByEventId: booking.id, changed: true });
    this.snapshot.openDiscrepancies.delete(account.id);
    if (!this.discrepancies.includes(open)) this.discrepancies.push(open);
    const asset = open.asset;
    this.outbox.push(
      createEvent('ledger.discrepancy', {
        provider: booking.provider,
        source: 'ledger',
        occurredAt: open.asOf.toISOString(),
        observedAt: this.now().toISOString(),
        account: booking.account,
        correlationId: booking.correlationId,
        data: {
          asset,
          ledgerBalance: moneyFromMinorUnits(ledgerBalance, asset),
          providerBalance: moneyFromMinorUnits(open.providerBalance, asset),
          difference: moneyFromMinorUnits(0n, asset),
          status: 'cleared',
          balanceEventId: open.balanceEventId,
        },
      }),
    );
  }

  private settlePayment(event: TransactionPostedEvent, journalIndex: number, gross: bigint): void {
    const ref = event.payment;
    if (!ref) return;
    let payment = this.snapshot.payments.get(ref.key);
    if (!payment) {
      // The booking arrived before any status: remember it, so no hold is ever taken for it.
      payment = this.newPayment(ref.key, event.provider, ref.id, event.account.key, event.data.amount.asset, gross);
    }
    if (payment.settledByJournal !== null) return;
    payment.settledByJournal = { draft: journalIndex };
    payment.settledTransactionId = event.data.providerTransactionId;
    payment.changed = true;
    if (payment.holdState === 'held') this.releaseHold(payment, event.id, new Date(event.data.bookedAt ?? event.occurredAt));
  }

  private applyBalance(event: BalanceUpdatedEvent): void {
    const asset = event.data.asset;
    const account = this.account(LedgerAccounts.providerAccount(event.account, asset));
    const asOf = new Date(event.data.asOf);
    const providerBalance = BigInt(event.data.booked.amount);

    if (account.openedAsOf === null) {
      const ledgerBalance = this.ledgerBalanceAsOf(account, asOf);
      const opening = providerBalance - ledgerBalance;
      account.openedAsOf = asOf;
      account.openingEventId = event.id;
      account.openingChanged = true;
      if (opening !== 0n) {
        this.addJournal({
          kind: 'opening',
          provider: event.provider,
          businessKey: `${event.account.key}|${asset}`,
          eventId: event.id,
          effectiveAt: asOf,
          description: `opening balance of ${event.account.key}`,
          paymentKey: null,
          postings: [
            { account, amount: opening },
            { account: this.account(LedgerAccounts.openingEquity(event.provider, asset)), amount: -opening },
          ],
        });
      }
      return;
    }
    // A balance older than the opening one has nothing to be compared with.
    if (asOf.getTime() < account.openedAsOf.getTime()) return;

    const ledgerBalance = this.ledgerBalanceAsOf(account, asOf);
    const open = this.snapshot.openDiscrepancies.get(account.id);
    if (providerBalance !== ledgerBalance) {
      const discrepancy: DiscrepancyState = open ?? {
        id: null,
        accountId: account.id,
        accountKey: event.account.key,
        provider: event.provider,
        asset,
        status: 'open',
        ledgerBalance,
        providerBalance,
        balanceEventId: event.id,
        asOf,
        clearedByEventId: null,
        changed: true,
      };
      Object.assign(discrepancy, { ledgerBalance, providerBalance, balanceEventId: event.id, asOf, changed: true });
      if (!open) {
        this.snapshot.openDiscrepancies.set(account.id, discrepancy);
        this.discrepancies.push(discrepancy);
      } else if (!this.discrepancies.includes(open)) {
        this.discrepancies.push(open);
      }
      this.outbox.push(this.discrepancyEvent(event, 'open', ledgerBalance, providerBalance));
    } else if (open) {
      Object.assign(open, { status: 'cleared', ledgerBalance, providerBalance, clearedByEventId: event.id, changed: true });
      this.snapshot.openDiscrepancies.delete(account.id);
      if (!this.discrepancies.includes(open)) this.discrepancies.push(open);
      this.outbox.push(this.discrepancyEvent(event, 'cleared', ledgerBalance, providerBalance));
    }
  }

  private applyPaymentStatus(event: PaymentStatusChangedEvent): void {
    const incoming = event.data.status;
    const amount = BigInt(event.data.amount.amount);
    let payment = this.snapshot.payments.get(event.payment.key);
    let decision: TransitionDecision;
    if (!payment) {
      payment = this.newPayment(event.payment.key, event.provider, event.payment.id, event.account.key, event.data.amount.asset, amount);
      decision = 'apply';
    } else {
      decision = decideTransition(payment.status ?? undefined, incoming);
    }

    this.history.push({
      paymentKey: payment.key,
      eventId: event.id,
      status: incoming,
      rawScheme: event.data.rawStatus.scheme,
      rawCode: event.data.rawStatus.code,
      source: event.source,
      decision: historyDecision(decision),
      occurredAt: new Date(event.occurredAt),
      observedAt: new Date(event.observedAt),
    });
    if (decision !== 'apply') return;

    payment.status = incoming;
    payment.rawScheme = event.data.rawStatus.scheme;
    payment.rawCode = event.data.rawStatus.code;
    payment.statusOccurredAt = new Date(event.occurredAt);
    payment.changed = true;

    const failed = isTerminalPaymentStatus(incoming) && incoming !== 'settled';
    if (failed) {
      if (payment.holdState === 'held') this.releaseHold(payment, event.id, new Date(event.occurredAt));
      return;
    }
    // In flight (or settled but not booked yet): reserve the money until the booking arrives.
    if (payment.holdState === 'none' && payment.settledByJournal === null) this.takeHold(payment, event.id, new Date(event.occurredAt));
  }

  private applyAccountClosed(event: AccountClosedEvent): void {
    this.closedAccounts.push({ accountKey: event.account.key, closedAt: new Date(event.occurredAt) });
  }

  private takeHold(payment: PaymentState, eventId: string, effectiveAt: Date): void {
    const index = this.addJournal({
      kind: 'hold',
      provider: payment.provider,
      businessKey: payment.key,
      eventId,
      effectiveAt,
      description: `hold for payment ${payment.providerPaymentId}`,
      paymentKey: payment.key,
      postings: this.holdPostings(payment, payment.amount),
    });
    payment.holdState = 'held';
    payment.holdJournal = { draft: index };
    payment.changed = true;
  }

  private releaseHold(payment: PaymentState, eventId: string, effectiveAt: Date): void {
    const index = this.addJournal({
      kind: 'hold_release',
      provider: payment.provider,
      businessKey: payment.key,
      eventId,
      effectiveAt,
      description: `release of the hold for payment ${payment.providerPaymentId}`,
      paymentKey: payment.key,
      postings: this.holdPostings(payment, -payment.amount),
    });
    payment.holdState = 'released';
    payment.releaseJournal = { draft: index };
    payment.changed = true;
  }

  /** Holds sit on the payment's own account, whichever event moves them. */
  private holdPostings(payment: PaymentState, amount: bigint): DraftJournal['postings'] {
    const ref = paymentAccountRef(payment);
    return [
      { account: this.account(LedgerAccounts.holds(ref, payment.asset)), amount },
      { account: this.account(LedgerAccounts.inFlight(payment.provider, payment.asset)), amount: -amount },
    ];
  }

  private newPayment(key: string, provider: Provider, providerPaymentId: string, accountKey: string, asset: string, amount: bigint): PaymentState {
    const payment: PaymentState = {
      key,
      provider,
      providerPaymentId,
      accountKey,
      asset,
      amount,
      status: null,
      rawScheme: null,
      rawCode: null,
      statusOccurredAt: null,
      holdState: 'none',
      holdJournal: null,
      releaseJournal: null,
      settledByJournal: null,
      settledTransactionId: null,
      changed: true,
    };
    this.snapshot.payments.set(key, payment);
    return payment;
  }

  private addJournal(journal: DraftJournal): number {
    const postings = journal.postings.filter((posting) => posting.amount !== 0n);
    this.journals.push({ ...journal, postings });
    const at = journal.effectiveAt.getTime();
    for (const { account, amount } of postings) {
      if (account.balance !== null) {
        account.balance += amount;
        account.balanceChanged = true;
      }
      const list = this.batchPostings.get(account.id) ?? [];
      list.push({ at, amount });
      this.batchPostings.set(account.id, list);
    }
    return this.journals.length - 1;
  }

  /** The account's booked balance counting only postings dated at or before `asOf`. */
  private ledgerBalanceAsOf(account: AccountState, asOf: Date): bigint {
    if (account.balance === null) throw new Error(`account ${account.spec.address} keeps no running balance`);
    const at = asOf.getTime();
    const storedAfter = this.snapshot.storedPostingsAfter.get(`${account.id}|${at}`) ?? 0n;
    let batchAfter = 0n;
    for (const posting of this.batchPostings.get(account.id) ?? []) {
      if (posting.at > at) batchAfter += posting.amount;
    }
    return account.balance - storedAfter - batchAfter;
  }

  private account(spec: LedgerAccountSpec): AccountState {
    const state = this.snapshot.accounts.get(accountSpecKey(spec));
    if (!state) throw new Error(`account ${spec.address} in ${spec.asset} was not prepared for this batch`);
    if (hasRunningBalance(spec.kind) !== (state.balance !== null)) {
      throw new Error(`account ${spec.address} in ${spec.asset} has an inconsistent running balance`);
    }
    return state;
  }

  private discrepancyEvent(
    balance: BalanceUpdatedEvent,
    status: 'open' | 'cleared',
    ledgerBalance: bigint,
    providerBalance: bigint,
  ): LedgerDiscrepancyEvent {
    const asset = balance.data.asset;
    return createEvent('ledger.discrepancy', {
      provider: balance.provider,
      source: 'ledger',
      occurredAt: balance.data.asOf,
      observedAt: this.now().toISOString(),
      account: balance.account,
      correlationId: balance.correlationId,
      data: {
        asset,
        ledgerBalance: moneyFromMinorUnits(ledgerBalance, asset),
        providerBalance: moneyFromMinorUnits(providerBalance, asset),
        difference: moneyFromMinorUnits(providerBalance - ledgerBalance, asset),
        status,
        balanceEventId: balance.id,
      },
    });
  }
}

/** The provider account a payment is made from, from its stored key `<provider>:<id>`. */
export function paymentAccountRef(payment: Pick<PaymentState, 'provider' | 'accountKey'>): ReturnType<typeof accountRef> {
  return accountRef(payment.provider, payment.accountKey.slice(payment.provider.length + 1));
}

/** The accounts a stored payment's hold lives on; prepared with the batch's other accounts. */
export function accountsOfPayment(payment: PaymentState): LedgerAccountSpec[] {
  const ref = paymentAccountRef(payment);
  return [LedgerAccounts.holds(ref, payment.asset), LedgerAccounts.inFlight(payment.provider, payment.asset)];
}

function historyDecision(decision: TransitionDecision): StatusHistoryRow['decision'] {
  switch (decision) {
    case 'apply':
      return 'applied';
    case 'same':
      return 'same';
    case 'ignore-stale':
      return 'stale';
    case 'invalid':
      return 'invalid';
  }
}
