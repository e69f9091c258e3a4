import { replaceArray, replaceMap } from '../core/replace';
import { Book, type BookEntry, type BookSnapshot } from '../core/book';
import type { Random } from '../core/random';
import type { AccountTransfer, DepositLocation, ExternalAccount, IndxAccount, IndxEntryMeta, IndxTransactionType, WireTransfer } from './model';

export interface IndxStateSnapshot {
  book: BookSnapshot<IndxEntryMeta>;
  accounts: ReadonlyMap<string, IndxAccount>;
  depositLocations: readonly DepositLocation[];
  externalAccounts: ReadonlyMap<string, ExternalAccount>;
  wires: ReadonlyMap<string, WireTransfer>;
  transfers: ReadonlyMap<string, AccountTransfer>;
  timeline: readonly BookEntry<IndxEntryMeta>[];
  sequence: number;
}

/** INDX's customer accounts (one book), deposit locations, external accounts, wires and transfers. */
export class IndxState {
  readonly book = new Book<IndxEntryMeta>();
  readonly accounts = new Map<string, IndxAccount>();
  readonly depositLocations: DepositLocation[] = [];
  readonly externalAccounts = new Map<string, ExternalAccount>();
  readonly wires = new Map<string, WireTransfer>();
  readonly transfers = new Map<string, AccountTransfer>();
  /** Every entry in creation order, for filtering across accounts. */
  readonly timeline: BookEntry<IndxEntryMeta>[] = [];
  private sequence = 0;

  constructor(readonly ids: Random) {}

  /** The live data, for a snapshot serialized right away (the timeline shares the book's entries). */
  snapshot(): IndxStateSnapshot {
    const { book, accounts, depositLocations, externalAccounts, wires, transfers, timeline, sequence } = this;
    return { book: book.snapshot(), accounts, depositLocations, externalAccounts, wires, transfers, timeline, sequence };
  }

  restore(snapshot: IndxStateSnapshot): void {
    this.book.restore(snapshot.book);
    replaceMap(this.accounts, snapshot.accounts);
    replaceArray(this.depositLocations, snapshot.depositLocations);
    replaceMap(this.externalAccounts, snapshot.externalAccounts);
    replaceMap(this.wires, snapshot.wires);
    replaceMap(this.transfers, snapshot.transfers);
    replaceArray(this.timeline, snapshot.timeline);
    this.sequence = snapshot.sequence;
  }

  newId(prefix: string): string {
    return `${prefix}_${this.ids.alphanumeric(20)}`;
  }

  addAccount(account: IndxAccount): void {
    this.accounts.set(account.id, account);
    this.book.openAccount(account.id, account.asset, account.createdAt);
  }

  post(
    accountId: string,
    entry: { type: IndxTransactionType; amount: bigint; description: string; at: number; status: 'pending' | 'booked' } & Omit<IndxEntryMeta, 'sequence' | 'reference'> & { reference?: string },
  ): BookEntry<IndxEntryMeta> {
    this.sequence += 1;
    const { type, amount, description, at, status, reference, ...meta } = entry;
    const posted = this.book.post({
      id: `txn_${String(this.sequence).padStart(9, '0')}${this.ids.alphanumeric(6)}`,
      accountId,
      amount,
      kind: type,
      description,
      at,
      status,
      meta: { sequence: this.sequence, reference: reference ?? `REF${this.ids.digits(10)}`, ...meta },
    });
    this.timeline.push(posted);
    return posted;
  }
}
