import type { Asset } from './money';

/**
 * A provider's book of accounts: the ground truth of what each account holds. Every balance a
 * provider route renders is derived from here, so the balance always equals the sum of the booked
 * entries. A pending entry is money in flight: a pending debit already reduces what is available,
 * and it either becomes booked or is voided.
 */
export type EntryStatus = 'pending' | 'booked' | 'void';

export interface BookAccount {
  readonly id: string;
  asset: Asset;
  readonly openedAt: number;
  closedAt?: number;
}

export interface BookEntry<Meta> {
  readonly id: string;
  readonly accountId: string;
  readonly amount: bigint;
  /** The asset the entry is denominated in (an account's asset can change, see Fin X). */
  readonly asset: Asset;
  status: EntryStatus;
  readonly createdAt: number;
  /** When it was booked or voided. */
  settledAt?: number;
  /** The account's booked balance right after this entry was booked. */
  balanceAfter?: bigint;
  readonly kind: string;
  readonly description: string;
  readonly meta: Meta;
}

export interface NewEntry<Meta> {
  id: string;
  accountId: string;
  amount: bigint;
  kind: string;
  description: string;
  at: number;
  status: 'pending' | 'booked';
  meta: Meta;
}

/** A book as saved in a sandbox snapshot: every account with its entries and running sums. */
export interface BookSnapshot<Meta> {
  ledgers: ReadonlyMap<string, AccountLedger<Meta>>;
}

interface AccountLedger<Meta> {
  account: BookAccount;
  entries: BookEntry<Meta>[];
  booked: bigint;
  pendingDebits: bigint;
  pendingCredits: bigint;
}

export class UnknownAccountError extends Error {
  constructor(readonly accountId: string) {
    super(`unknown account ${accountId}`);
  }
}

export class Book<Meta> {
  private readonly ledgers = new Map<string, AccountLedger<Meta>>();
  // Only pending entries are looked up by id (to book or void them); keeping booked ones out of
  // this map keeps a 100k-transaction seed light.
  private readonly pendingById = new Map<string, BookEntry<Meta>>();

  /** The live data, for a snapshot serialized right away (not a copy). */
  snapshot(): BookSnapshot<Meta> {
    return { ledgers: this.ledgers };
  }

  /** Replaces the whole book with a snapshot's. */
  restore(snapshot: BookSnapshot<Meta>): void {
    this.ledgers.clear();
    this.pendingById.clear();
    for (const [id, ledger] of snapshot.ledgers) {
      this.ledgers.set(id, ledger);
      for (const entry of ledger.entries) if (entry.status === 'pending') this.pendingById.set(entry.id, entry);
    }
  }

  openAccount(id: string, assetValue: Asset, openedAt: number): BookAccount {
    if (this.ledgers.has(id)) throw new Error(`account ${id} is already open`);
    const account: BookAccount = { id, asset: assetValue, openedAt };
    this.ledgers.set(id, { account, entries: [], booked: 0n, pendingDebits: 0n, pendingCredits: 0n });
    return account;
  }

  hasAccount(id: string): boolean {
    return this.ledgers.has(id);
  }

  account(id: string): BookAccount {
    return this.ledger(id).account;
  }

  accounts(): BookAccount[] {
    return [...this.ledgers.values()].map((ledger) => ledger.account);
  }

  post(entry: NewEntry<Meta>): BookEntry<Meta> {
    const ledger = this.ledger(entry.accountId);
    if (this.pendingById.has(entry.id)) throw new Error(`entry ${entry.id} already exists`);
    const created: BookEntry<Meta> = {
      id: entry.id,
      accountId: entry.accountId,
      amount: entry.amount,
      asset: ledger.account.asset,
      status: entry.status,
      createdAt: entry.at,
      kind: entry.kind,
      description: entry.description,
      meta: entry.meta,
    };
    ledger.entries.push(created);
    if (entry.status === 'booked') {
      this.applyBooked(ledger, created, entry.at);
    } else {
      this.pendingById.set(created.id, created);
      this.addPending(ledger, created.amount, 1n);
    }
    return created;
  }

  /** Books a pending entry. */
  book(entryId: string, at: number): BookEntry<Meta> {
    const entry = this.pendingEntry(entryId);
    const ledger = this.ledger(entry.accountId);
    this.addPending(ledger, entry.amount, -1n);
    this.applyBooked(ledger, entry, at);
    return entry;
  }

  /** Cancels a pending entry: it never affects the balance. */
  voidEntry(entryId: string, at: number): BookEntry<Meta> {
    const entry = this.pendingEntry(entryId);
    this.addPending(this.ledger(entry.accountId), entry.amount, -1n);
    entry.status = 'void';
    entry.settledAt = at;
    return entry;
  }

  isPending(entryId: string): boolean {
    return this.pendingById.has(entryId);
  }

  /** Entries in the order they were created (which is clock order). */
  entries(accountId: string): readonly BookEntry<Meta>[] {
    return this.ledger(accountId).entries;
  }

  /** Sum of booked entries in the account's current asset. */
  balance(accountId: string): bigint {
    return this.ledger(accountId).booked;
  }

  /** The booked balance less money already promised away by pending debits. */
  available(accountId: string): bigint {
    const ledger = this.ledger(accountId);
    return ledger.booked + ledger.pendingDebits;
  }

  /** Sum of pending debits, as a positive number (funds on hold). */
  onHold(accountId: string): bigint {
    return -this.ledger(accountId).pendingDebits;
  }

  pendingCredits(accountId: string): bigint {
    return this.ledger(accountId).pendingCredits;
  }

  /** Re-denominates an account (Fin X lets a client change an account's currency). */
  changeAsset(accountId: string, assetValue: Asset): void {
    const ledger = this.ledger(accountId);
    if (ledger.booked !== 0n || ledger.pendingDebits !== 0n || ledger.pendingCredits !== 0n) {
      throw new Error(`account ${accountId} must be empty to change its asset`);
    }
    ledger.account.asset = assetValue;
  }

  closeAccount(accountId: string, at: number): void {
    this.ledger(accountId).account.closedAt = at;
  }

  private ledger(id: string): AccountLedger<Meta> {
    const ledger = this.ledgers.get(id);
    if (!ledger) throw new UnknownAccountError(id);
    return ledger;
  }

  private pendingEntry(entryId: string): BookEntry<Meta> {
    const entry = this.pendingById.get(entryId);
    if (!entry) throw new Error(`entry ${entryId} is not pending`);
    this.pendingById.delete(entryId);
    return entry;
  }

  private applyBooked(ledger: AccountLedger<Meta>, entry: BookEntry<Meta>, at: number): void {
    ledger.booked += entry.amount;
    entry.status = 'booked';
    entry.settledAt = at;
    entry.balanceAfter = ledger.booked;
  }

  private addPending(ledger: AccountLedger<Meta>, amount: bigint, sign: 1n | -1n): void {
    if (amount < 0n) ledger.pendingDebits += amount * sign;
    else ledger.pendingCredits += amount * sign;
  }
}
