import { defineConnector, type Connector, type ConnectorKit } from '@finmesh/connector-kit';
import { describeIndxError, IndxClient, indxSigner } from './client';
import type { IndxConfig } from './config';
import { IndxAssets } from './normalize';
import { indxPaymentInitiator, indxPaymentPoller } from './payments';
import { accountsFetcher, balancesFetcher, externalAccountsFetcher, RESOURCE_KINDS, transactionsFetcher, type IndxSyncOptions } from './sync';

/**
 * The INDX connector's capabilities. INDX documents no callbacks, so it does not declare
 * translate_callbacks: payments are followed by polling.
 */
export function createIndxConnector(config: IndxConfig, kit: ConnectorKit): Connector {
  const client = new IndxClient(
    kit.createHttpClient({
      provider: 'indx',
      baseUrl: config.INDX_BASE_URL,
      sign: indxSigner({ apiKey: config.INDX_API_KEY, apiSecret: config.INDX_API_SECRET }),
      describeError: describeIndxError,
    }),
  );
  const assets = new IndxAssets(config.INDX_ASSETS);
  const sync: IndxSyncOptions = {
    client,
    assets,
    transactionsPageSize: config.INDX_TRANSACTIONS_PAGE_SIZE,
    transactionsOverlapMs: config.INDX_TRANSACTIONS_OVERLAP_MS,
    accountsPerPage: config.INDX_ACCOUNTS_PER_PAGE,
  };
  return defineConnector({
    name: 'indx',
    provider: 'indx',
    capabilities: ['fetch_accounts', 'fetch_external_accounts', 'fetch_balances', 'fetch_transactions', 'initiate_payment', 'poll_payment_status'],
    handlers: {
      fetch_accounts: accountsFetcher(sync),
      fetch_external_accounts: externalAccountsFetcher(sync),
      fetch_balances: balancesFetcher(sync),
      fetch_transactions: transactionsFetcher(sync),
      initiate_payment: indxPaymentInitiator(client, assets),
      poll_payment_status: indxPaymentPoller(client),
    },
    collections: [
      { kind: RESOURCE_KINDS.account, collection: 'accounts', description: 'INDX customer accounts' },
      { kind: RESOURCE_KINDS.depositLocation, collection: 'deposit-locations', description: 'Where each account receives money (parentId: the account)' },
      { kind: RESOURCE_KINDS.externalAccount, collection: 'external-accounts', description: 'External accounts wires can go to' },
    ],
    syncIntervalsMs: { accounts: 3_600_000, external_accounts: 3_600_000, balances: 300_000, transactions: 60_000 },
    probe: (signal) => client.probe(signal),
  });
}
