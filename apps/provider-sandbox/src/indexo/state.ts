import { Book, type BookSnapshot } from '../core/book';
import { replaceArray, replaceMap } from '../core/replace';
import { asset } from '../core/money';
import type { Random } from '../core/random';
import { latvianIban } from './iban';
import type { Consent, IndexoAccount, IndexoEntryMeta, Payment, Psu } from './model';

export const EUR = asset('EUR', 2);
export const INDEXO_BANK_CODE = 'IDXO';

export interface IndexoStateSnapshot {
  book: BookSnapshot<IndexoEntryMeta>;
  psus: ReadonlyMap<string, Psu>;
  accounts: ReadonlyMap<string, IndexoAccount>;
  consents: ReadonlyMap<string, Consent>;
  payments: ReadonlyMap<string, Payment>;
  counterpartyIbans: readonly string[];
  entrySequence: number;
}

/** INDEXO's PSUs, their EUR current accounts (one book), consents and payments. */
export class IndexoState {
  readonly book = new Book<IndexoEntryMeta>();
  readonly psus = new Map<string, Psu>();
  readonly accounts = new Map<string, IndexoAccount>();
  readonly consents = new Map<string, Consent>();
  readonly payments = new Map<string, Payment>();
  /** IBANs of the people and shops the PSUs deal with. */
  readonly counterpartyIbans: string[] = [];
  private readonly byIban = new Map<string, IndexoAccount>();
  private entrySequence = 0;

  constructor(readonly ids: Random) {}

  /** The live data, for a snapshot serialized right away. */
  snapshot(): IndexoStateSnapshot {
    const { book, psus, accounts, consents, payments, counterpartyIbans, entrySequence } = this;
    return { book: book.snapshot(), psus, accounts, consents, payments, counterpartyIbans, entrySequence };
  }

  restore(snapshot: IndexoStateSnapshot): void {
    this.book.restore(snapshot.book);
    replaceMap(this.psus, snapshot.psus);
    replaceMap(this.accounts, snapshot.accounts);
    replaceMap(this.consents, snapshot.consents);
    replaceMap(this.payments, snapshot.payments);
    replaceArray(this.counterpartyIbans, snapshot.counterpartyIbans);
    this.byIban.clear();
    for (const account of this.accounts.values()) this.byIban.set(account.iban, account);
    this.entrySequence = snapshot.entrySequence;
  }

  accountByIban(iban: string): IndexoAccount | undefined {
    return this.byIban.get(iban);
  }

  psuAccounts(psuId: string): IndexoAccount[] {
    return (this.psus.get(psuId)?.accountIds ?? []).flatMap((id) => this.accounts.get(id) ?? []);
  }

  addPsu(id: string, name: string): Psu {
    const psu: Psu = { id, name, accountIds: [] };
    this.psus.set(id, psu);
    return psu;
  }

  openAccount(psu: Psu, at: number, iban = latvianIban(INDEXO_BANK_CODE, this.ids.digits(13))): IndexoAccount {
    const account: IndexoAccount = {
      resourceId: this.ids.uuid(),
      iban,
      currency: 'EUR',
      name: psu.accountIds.length === 0 ? 'Main account' : `Savings ${psu.accountIds.length}`,
      product: psu.accountIds.length === 0 ? 'Current account' : 'Savings account',
      ownerName: psu.name,
      psuId: psu.id,
    };
    this.accounts.set(account.resourceId, account);
    this.byIban.set(iban, account);
    psu.accountIds.push(account.resourceId);
    this.book.openAccount(account.resourceId, EUR, at);
    return account;
  }

  post(
    account: IndexoAccount,
    entry: { amount: bigint; at: number; status: 'pending' | 'booked'; counterpartyName: string; counterpartyIban: string; remittance: string; bankTransactionCode: string; paymentId?: string },
  ): string {
    this.entrySequence += 1;
    const { amount, at, status, ...meta } = entry;
    const id = `${this.ids.hex(8)}-${this.entrySequence}`;
    this.book.post({
      id,
      accountId: account.resourceId,
      amount,
      kind: amount < 0n ? 'debit' : 'credit',
      description: entry.remittance,
      at,
      status,
      meta: { entryReference: `IDXO${String(this.entrySequence).padStart(10, '0')}`, ...meta },
    });
    return id;
  }
}
