import { Book, type BookSnapshot } from '../core/book';
import { replaceArray, replaceMap, replaceSet } from '../core/replace';
import { CURRENCIES, PAIRS, currency as findCurrency, type IndodaxCurrency } from './currencies';
import type { Deposit, IndodaxEntryMeta, Order, Trade, Withdrawal } from './model';

export interface IndodaxUser {
  readonly userId: string;
  readonly name: string;
  readonly email: string;
  readonly username: string;
  /** Deposit address per coin. */
  readonly addresses: Readonly<Record<string, string>>;
}

export interface IndodaxStateSnapshot {
  book: BookSnapshot<IndodaxEntryMeta>;
  deposits: readonly Deposit[];
  withdrawals: readonly Withdrawal[];
  orders: ReadonlyMap<number, Order>;
  openOrders: ReadonlyMap<number, Order>;
  trades: readonly Trade[];
  prices: ReadonlyMap<string, bigint>;
  knownUsernames: ReadonlySet<string>;
  nextIds: { deposit: number; withdraw: number; order: number; trade: number };
}

/**
 * The Indodax account behind the sandbox's API keys: one book account per currency (its id is
 * the currency code), deposits, withdrawals, orders, trades and the market prices.
 */
export class IndodaxState {
  readonly book = new Book<IndodaxEntryMeta>();
  readonly deposits: Deposit[] = [];
  readonly withdrawals: Withdrawal[] = [];
  readonly orders = new Map<number, Order>();
  /** The orders still resting, in placement order (the ones a price move can fill). */
  readonly openOrders = new Map<number, Order>();
  readonly trades: Trade[] = [];
  readonly prices = new Map<string, bigint>(PAIRS.map((pair) => [pair.id, pair.openingPrice]));
  /** Other Indodax users a withdrawal by username can go to. */
  readonly knownUsernames = new Set<string>();
  private nextDepositId = 3_395_000;
  private nextWithdrawId = 1_941_000;
  private nextOrderId = 59_632_800;
  private nextTradeId = 17_393_900;

  constructor(readonly user: IndodaxUser, openedAt: number) {
    for (const entry of CURRENCIES) this.book.openAccount(entry.code, entry.asset, openedAt);
  }

  /** The live data, for a snapshot serialized right away (open orders share the orders' objects). */
  snapshot(): IndodaxStateSnapshot {
    const { book, deposits, withdrawals, orders, openOrders, trades, prices, knownUsernames } = this;
    const nextIds = { deposit: this.nextDepositId, withdraw: this.nextWithdrawId, order: this.nextOrderId, trade: this.nextTradeId };
    return { book: book.snapshot(), deposits, withdrawals, orders, openOrders, trades, prices, knownUsernames, nextIds };
  }

  restore(snapshot: IndodaxStateSnapshot): void {
    this.book.restore(snapshot.book);
    replaceArray(this.deposits, snapshot.deposits);
    replaceArray(this.withdrawals, snapshot.withdrawals);
    replaceMap(this.orders, snapshot.orders);
    replaceMap(this.openOrders, snapshot.openOrders);
    replaceArray(this.trades, snapshot.trades);
    replaceMap(this.prices, snapshot.prices);
    replaceSet(this.knownUsernames, snapshot.knownUsernames);
    this.nextDepositId = snapshot.nextIds.deposit;
    this.nextWithdrawId = snapshot.nextIds.withdraw;
    this.nextOrderId = snapshot.nextIds.order;
    this.nextTradeId = snapshot.nextIds.trade;
  }

  currency(code: string): IndodaxCurrency {
    const found = findCurrency(code);
    if (!found) throw new Error(`unknown currency ${code}`);
    return found;
  }

  available(code: string): bigint {
    return this.book.available(code);
  }

  onHold(code: string): bigint {
    return this.book.onHold(code);
  }

  newOrderId(): number {
    return this.nextOrderId++;
  }

  newTradeId(): number {
    return this.nextTradeId++;
  }

  /** A deposit: the gross amount in, the fee out; pending until confirmed. */
  recordDeposit(input: { currency: string; gross: bigint; fee: bigint; type?: string; tx: string; at: number; confirmed: boolean }): Deposit {
    const id = this.nextDepositId++;
    const status = input.confirmed ? 'booked' : 'pending';
    const entryIds = [this.post(`deposit:${id}`, input.currency, input.gross, 'deposit', `Deposit ${input.type ?? input.currency}`, input.at, status, { source: 'deposit', sourceId: String(id) })];
    if (input.fee > 0n) {
      entryIds.push(this.post(`deposit:${id}:fee`, input.currency, -input.fee, 'deposit_fee', 'Deposit fee', input.at, status, { source: 'deposit', sourceId: String(id) }));
    }
    const deposit: Deposit = {
      id,
      currency: input.currency,
      status: input.confirmed ? 'success' : 'pending',
      ...(input.type === undefined ? {} : { type: input.type }),
      gross: input.gross,
      fee: input.fee,
      submitTime: input.at,
      ...(input.confirmed ? { successTime: input.at } : {}),
      tx: input.tx,
      entryIds,
    };
    this.deposits.push(deposit);
    return deposit;
  }

  confirmDeposit(deposit: Deposit, at: number): void {
    for (const entryId of deposit.entryIds) this.book.book(entryId, at);
    deposit.status = 'success';
    deposit.successTime = at;
  }

  /** A withdrawal: the amount after fee and the fee leave the account (pending until sent). */
  recordWithdrawal(input: Omit<Withdrawal, 'id' | 'status' | 'successTime' | 'entryIds' | 'submitTime'> & { at: number; completed: boolean }): Withdrawal {
    const numeric = this.nextWithdrawId++;
    const id = input.currency === 'idr' ? String(numeric) : `${input.currency}-${numeric}`;
    const status = input.completed ? 'booked' : 'pending';
    const meta: IndodaxEntryMeta = { source: 'withdraw', sourceId: id };
    const entryIds = [this.post(`withdraw:${id}`, input.currency, -(input.gross - input.fee), 'withdraw', `Withdraw to ${input.username ?? input.address}`, input.at, status, meta)];
    if (input.fee > 0n) entryIds.push(this.post(`withdraw:${id}:fee`, input.currency, -input.fee, 'withdraw_fee', 'Withdraw fee', input.at, status, meta));
    const { at, completed, ...fields } = input;
    const withdrawal: Withdrawal = { ...fields, id, status: completed ? 'success' : 'pending', submitTime: at, ...(completed ? { successTime: at } : {}), entryIds };
    this.withdrawals.push(withdrawal);
    return withdrawal;
  }

  completeWithdrawal(withdrawal: Withdrawal, at: number, tx: string): void {
    for (const entryId of withdrawal.entryIds) this.book.book(entryId, at);
    withdrawal.status = 'success';
    withdrawal.successTime = at;
    withdrawal.tx = tx;
  }

  post(
    id: string,
    currencyCode: string,
    amount: bigint,
    kind: string,
    description: string,
    at: number,
    status: 'pending' | 'booked',
    meta: IndodaxEntryMeta,
  ): string {
    return this.book.post({ id, accountId: currencyCode, amount, kind, description, at, status, meta }).id;
  }
}
