import type { ResourceReader, StoredResource, SyncPageRequest } from '@finmesh/connector-kit';
import { silentLogger } from '@finmesh/connector-kit';
import type { BalanceUpdatedEvent } from '@finmesh/schemas';
import type { FindigiClient, FindigiVaultBalance, FindigiWalletBalances } from './client';
import { FindigiAssets } from './normalize';
import { balancesFetcher, RESOURCE_KINDS } from './sync';

/** The kept wallets, as the accounts sync left them. */
class KeptWallets implements ResourceReader {
  constructor(private readonly ids: Record<string, readonly string[]>) {}

  list(kind: string): Promise<StoredResource[]> {
    const seenAt = new Date('2025-03-03T09:00:00.000Z');
    return Promise.resolve((this.ids[kind] ?? []).map((id) => ({ kind, id, data: { id }, firstSeenAt: seenAt, lastSeenAt: seenAt })));
  }

  get(): Promise<StoredResource | undefined> {
    return Promise.resolve(undefined);
  }
}

/** FinDIGI's clock runs 30 minutes behind the connector's here, as the sandbox's does under npm start. */
const FINDIGI_NOW = '2025-03-03T08:40:00.000Z';
const fakeFindigi = {
  walletBalances: (walletId: string): Promise<FindigiWalletBalances> =>
    Promise.resolve({ wallet_id: walletId, as_of: FINDIGI_NOW, balances: [{ currency: 'IDR', balance: '1000', available_balance: '1000' }] } as FindigiWalletBalances),
  vaultBalances: (): Promise<FindigiVaultBalance[]> => Promise.resolve([{ symbol: 'USDT', balance: '2.5', available_balance: '2.5' } as FindigiVaultBalance]),
};

const request = (resources: ResourceReader): SyncPageRequest => ({
  cursor: null,
  correlationId: 'sync-findigi-balances',
  observedAt: new Date('2025-03-03T09:10:00.000Z'),
  resources,
  signal: new AbortController().signal,
  log: silentLogger,
});

describe('the FinDIGI balances sync', () => {
  const fetcher = balancesFetcher({ client: fakeFindigi as unknown as FindigiClient, assets: new FindigiAssets(), pageSize: 50, finvault: true });

  it('dates FinVault positions on FinDIGI’s clock (a wallet balance’s as_of), like the FinVault confirmations the ledger compares them with', async () => {
    const page = await fetcher.fetchPage(request(new KeptWallets({ [RESOURCE_KINDS.wallet]: ['wallet-idr'], [RESOURCE_KINDS.vaultWallet]: ['vault-1'] })));
    const events = page.events as BalanceUpdatedEvent[];
    expect(events.map((event) => [event.account.id, event.data.asOf])).toEqual([
      ['wallet-idr', FINDIGI_NOW],
      ['vault-1:USDT', FINDIGI_NOW],
    ]);
  });

  it('falls back to the observation time for FinVault when the workspace has no fiat wallet', async () => {
    const page = await fetcher.fetchPage(request(new KeptWallets({ [RESOURCE_KINDS.vaultWallet]: ['vault-1'] })));
    expect((page.events as BalanceUpdatedEvent[]).map((event) => event.data.asOf)).toEqual(['2025-03-03T09:10:00.000Z']);
  });
});
