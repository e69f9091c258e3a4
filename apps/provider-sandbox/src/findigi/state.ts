import { Book, type BookEntry } from '../core/book';
import type { Random } from '../core/random';
import type {
  Approval,
  FiatEntryMeta,
  FiatWallet,
  FindigiClient,
  FindigiUser,
  FinvaultEntryMeta,
  FinvaultTransaction,
  FinvaultWallet,
  PayoutInstruction,
  Transfer,
} from './model';

/** Everything FinDIGI holds. Fiat wallets and FinVault assets each have their own book. */
export class FindigiState {
  readonly fiat = new Book<FiatEntryMeta>();
  readonly vault = new Book<FinvaultEntryMeta>();
  readonly users = new Map<string, FindigiUser>();
  readonly clients = new Map<string, FindigiClient>();
  readonly wallets = new Map<string, FiatWallet>();
  readonly transfers = new Map<string, Transfer>();
  readonly instructions = new Map<string, PayoutInstruction>();
  readonly approvals = new Map<string, Approval>();
  readonly vaultWallets = new Map<string, FinvaultWallet>();
  readonly vaultTransactions = new Map<string, FinvaultTransaction>();

  constructor(private readonly ids: Random) {}

  newId(): string {
    return this.ids.uuid();
  }

  userByEmail(email: string): FindigiUser | undefined {
    const wanted = email.trim().toLowerCase();
    return [...this.users.values()].find((user) => user.email.toLowerCase() === wanted);
  }

  clientsOf(userId: string): FindigiClient[] {
    return [...this.clients.values()].filter((client) => client.members.has(userId));
  }

  walletsOf(clientId: string): FiatWallet[] {
    return [...this.wallets.values()].filter((wallet) => wallet.clientId === clientId);
  }

  vaultWalletsOf(clientId: string): FinvaultWallet[] {
    return [...this.vaultWallets.values()].filter((wallet) => wallet.clientId === clientId);
  }

  postFiat(
    walletId: string,
    entry: { amount: bigint; kind: string; description: string; at: number; status: 'pending' | 'booked'; meta: FiatEntryMeta },
  ): BookEntry<FiatEntryMeta> {
    return this.fiat.post({ id: this.newId(), accountId: walletId, ...entry });
  }
}

export function vaultAccountId(walletId: string, symbol: string): string {
  return `${walletId}:${symbol}`;
}
