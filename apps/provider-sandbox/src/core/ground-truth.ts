import type { Book, BookAccount, BookEntry, EntryStatus } from './book';
import { moneyJson, type MoneyJson } from './money';
import type { ProviderId } from './providers';
import { iso } from './time';

/**
 * What each provider account really holds, for end-to-end tests to compare the ledger with.
 * `balance` is the sum of the booked transactions (in the account's current asset); `available`
 * is the balance less pending debits.
 */
export interface GroundTruthTransaction {
  id: string;
  status: EntryStatus;
  amount: MoneyJson;
  kind: string;
  description: string;
  createdAt: string;
  settledAt?: string;
  /** The provider's own identifiers for the fact behind this entry (payment id, deposit id…). */
  references: Record<string, string>;
}

export interface GroundTruthAccount {
  provider: ProviderId;
  accountId: string;
  /** The identifiers a connector sees for this account (IBAN, wallet id, currency…). */
  references: Record<string, string>;
  asset: string;
  status: 'open' | 'closed';
  balance: MoneyJson;
  available: MoneyJson;
  onHold: MoneyJson;
  transactionCount: number;
  transactions?: GroundTruthTransaction[];
}

export interface GroundTruthQuery {
  accountId?: string;
  includeTransactions: boolean;
}

export interface GroundTruthSource {
  groundTruth(query: GroundTruthQuery): GroundTruthAccount[];
}

/** Ground truth of a book; `describe` adds the provider's identifiers. */
export function bookGroundTruth<Meta>(
  provider: ProviderId,
  book: Book<Meta>,
  query: GroundTruthQuery,
  describeAccount: (account: BookAccount) => Record<string, string>,
  describeEntry: (entry: BookEntry<Meta>) => Record<string, string>,
): GroundTruthAccount[] {
  const accounts = book.accounts().filter((account) => query.accountId === undefined || account.id === query.accountId);
  return accounts.map((account) => {
    const entries = book.entries(account.id);
    const truth: GroundTruthAccount = {
      provider,
      accountId: account.id,
      references: describeAccount(account),
      asset: `${account.asset.code}/${account.asset.precision}`,
      status: account.closedAt === undefined ? 'open' : 'closed',
      balance: moneyJson(book.balance(account.id), account.asset),
      available: moneyJson(book.available(account.id), account.asset),
      onHold: moneyJson(book.onHold(account.id), account.asset),
      transactionCount: entries.length,
    };
    if (query.includeTransactions) {
      truth.transactions = entries.map((entry) => {
        const transaction: GroundTruthTransaction = {
          id: entry.id,
          status: entry.status,
          amount: moneyJson(entry.amount, entry.asset),
          kind: entry.kind,
          description: entry.description,
          createdAt: iso(entry.createdAt),
          references: describeEntry(entry),
        };
        if (entry.settledAt !== undefined) transaction.settledAt = iso(entry.settledAt);
        return transaction;
      });
    }
    return truth;
  });
}
