import { defineConnector, type Connector, type ConnectorKit } from '@finmesh/connector-kit';
import { describeFinxError, FinxClient, finxSigner } from './client';
import type { FinxConfig } from './config';
import { FinxAssets, RESOURCE_KINDS } from './normalize';
import { accountsFetcher } from './sync';

export interface FinxConnectorParts {
  connector: Connector;
  /** Shared with the account commands, so both go through one rate limit and circuit breaker. */
  client: FinxClient;
  assets: FinxAssets;
}

/**
 * The Fin X connector's capabilities: Fin X has accounts with a balance and nothing else (no
 * transactions, no payments, no callbacks), so it declares fetch_accounts only; the accounts
 * sync publishes the balances and, as booked adjustments, the movements behind them (normalize.ts).
 * Account management is the connector's own API (finx-app.ts).
 */
export function createFinxConnector(config: FinxConfig, kit: ConnectorKit): FinxConnectorParts {
  const client = new FinxClient(
    kit.createHttpClient({ provider: 'finx', baseUrl: config.FINX_BASE_URL, sign: finxSigner(config.FINX_API_TOKEN), describeError: describeFinxError }),
  );
  const assets = new FinxAssets(config.FINX_ASSETS);
  const connector = defineConnector({
    name: 'finx',
    provider: 'finx',
    capabilities: ['fetch_accounts'],
    handlers: { fetch_accounts: accountsFetcher({ client, assets, pageSize: config.FINX_PAGE_SIZE }) },
    collections: [
      { kind: RESOURCE_KINDS.account, collection: 'accounts', description: 'Fin X accounts as last listed or changed (deleted ones stay, see closed-accounts)' },
      { kind: RESOURCE_KINDS.balance, collection: 'balances', description: 'The balance last published per account' },
      { kind: RESOURCE_KINDS.closedAccount, collection: 'closed-accounts', description: 'Accounts reported as account.closed' },
    ],
    syncIntervalsMs: { accounts: 300_000 },
    probe: (signal) => client.probe(signal),
  });
  return { connector, client, assets };
}
