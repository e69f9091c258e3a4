import { Book, type BookSnapshot } from '../core/book';
import { replaceMap } from '../core/replace';
import { rescaleMinor, type Asset } from '../core/money';
import type { Random } from '../core/random';

/**
 * Fin X accounts. Fin X exposes balances, not transactions, and lets a client set the balance
 * directly; the book still records every change (opening balance, client updates, activity), so
 * the ground truth's balance is the sum of its entries like every other provider's.
 */
export interface FinxAccount {
  readonly id: string;
  type: string;
  ownerId: string;
  readonly createdAt: number;
  updatedAt: number;
}

export type FinxEntryKind = 'opening_balance' | 'balance_update' | 'activity' | 'currency_change';

export interface FinxStateSnapshot {
  book: BookSnapshot<undefined>;
  accounts: ReadonlyMap<string, FinxAccount>;
  entrySequence: number;
}

export class FinxState {
  readonly book = new Book<undefined>();
  private readonly accounts = new Map<string, FinxAccount>();
  private entrySequence = 0;

  constructor(private readonly ids: Random) {}

  /** The live data, for a snapshot serialized right away. */
  snapshot(): FinxStateSnapshot {
    return { book: this.book.snapshot(), accounts: this.accounts, entrySequence: this.entrySequence };
  }

  restore(snapshot: FinxStateSnapshot): void {
    this.book.restore(snapshot.book);
    replaceMap(this.accounts, snapshot.accounts);
    this.entrySequence = snapshot.entrySequence;
  }

  /** Live accounts in creation order. */
  list(): FinxAccount[] {
    return [...this.accounts.values()];
  }

  get(id: string): FinxAccount | undefined {
    return this.accounts.get(id);
  }

  asset(id: string): Asset {
    return this.book.account(id).asset;
  }

  balance(id: string): bigint {
    return this.book.balance(id);
  }

  create(input: { type: string; ownerId: string; asset: Asset; balance: bigint; at: number }): FinxAccount {
    const id = this.ids.alphanumeric(16);
    const account: FinxAccount = { id, type: input.type, ownerId: input.ownerId, createdAt: input.at, updatedAt: input.at };
    this.book.openAccount(id, input.asset, input.at);
    this.accounts.set(id, account);
    if (input.balance !== 0n) this.post(id, input.balance, 'opening_balance', 'Initial balance', input.at);
    return account;
  }

  /** Applies a client's update; a balance is set by posting the difference. */
  update(id: string, change: { type?: string; asset?: Asset; balance?: bigint; at: number }): FinxAccount {
    const account = this.require(id);
    if (change.type !== undefined) account.type = change.type;
    if (change.asset !== undefined && change.asset.code !== this.asset(id).code) {
      this.changeCurrency(id, change.asset, change.at, change.balance);
    } else if (change.balance !== undefined) {
      const delta = change.balance - this.balance(id);
      if (delta !== 0n) this.post(id, delta, 'balance_update', 'Balance updated by client', change.at);
    }
    account.updatedAt = change.at;
    return account;
  }

  /** Live activity: a small movement on an account. */
  move(id: string, delta: bigint, at: number): void {
    const account = this.require(id);
    this.post(id, delta, 'activity', delta >= 0n ? 'Incoming funds' : 'Outgoing funds', at);
    account.updatedAt = at;
  }

  delete(id: string, at: number): void {
    this.require(id);
    this.accounts.delete(id);
    this.book.closeAccount(id, at);
  }

  private changeCurrency(id: string, next: Asset, at: number, newBalance: bigint | undefined): void {
    const previous = this.balance(id);
    // The old-currency position is closed and the account reopens in the new currency; without a
    // new balance the same decimal amount is carried over (the route refuses a change that would
    // need rounding).
    if (previous !== 0n) this.post(id, -previous, 'currency_change', `Closed in ${this.asset(id).code}`, at);
    const carried = newBalance ?? rescaleMinor(previous, this.asset(id).precision, next.precision);
    this.book.changeAsset(id, next);
    if (carried !== 0n) this.post(id, carried, 'currency_change', `Opened in ${next.code}`, at);
  }

  private post(accountId: string, amount: bigint, kind: FinxEntryKind, description: string, at: number): void {
    this.entrySequence += 1;
    this.book.post({
      id: `finx_entry_${this.entrySequence}`,
      accountId,
      amount,
      kind,
      description,
      at,
      status: 'booked',
      meta: undefined,
    });
  }

  private require(id: string): FinxAccount {
    const account = this.accounts.get(id);
    if (!account) throw new Error(`unknown Fin X account ${id}`);
    return account;
  }
}

export const FINX_ACCOUNT_TYPES = ['savings', 'checking', 'investment'] as const;
