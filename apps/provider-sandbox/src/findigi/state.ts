import { Book, type BookEntry, type BookSnapshot } from '../core/book';
import { replaceMap } from '../core/replace';
import type { Random } from '../core/random';
import type {
  Approval,
  BatchTransfer,
  FiatEntryMeta,
  FiatWallet,
  FindigiClient,
  FindigiUser,
  FinvaultEntryMeta,
  FinvaultTransaction,
  FinvaultWallet,
  PayoutInstruction,
  SavedBank,
  Transfer,
} from './model';

/** The state's Maps and books, for a sandbox snapshot (serialized at once: live objects). */
export interface FindigiStateSnapshot {
  fiat: BookSnapshot<FiatEntryMeta>;
  vault: BookSnapshot<FinvaultEntryMeta>;
  maps: Readonly<Record<string, ReadonlyMap<string, unknown>>>;
}

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
  readonly savedBanks = new Map<string, SavedBank>();
  readonly batches = new Map<string, BatchTransfer>();
  readonly vaultWallets = new Map<string, FinvaultWallet>();
  readonly vaultTransactions = new Map<string, FinvaultTransaction>();

  constructor(private readonly ids: Random) {}

  snapshot(): FindigiStateSnapshot {
    return { fiat: this.fiat.snapshot(), vault: this.vault.snapshot(), maps: this.maps() };
  }

  restore(snapshot: FindigiStateSnapshot): void {
    this.fiat.restore(snapshot.fiat);
    this.vault.restore(snapshot.vault);
    for (const [name, map] of Object.entries(this.maps())) {
      const saved = snapshot.maps[name];
      // Written by snapshot() from the same Map, so the value types match.
      if (saved !== undefined) replaceMap(map as Map<string, unknown>, saved);
    }
  }

  private maps(): Record<string, ReadonlyMap<string, unknown>> {
    const { users, clients, wallets, transfers, instructions, approvals, savedBanks, batches, vaultWallets, vaultTransactions } = this;
    return { users, clients, wallets, transfers, instructions, approvals, savedBanks, batches, vaultWallets, vaultTransactions };
  }

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
