import { defineConnector, type Connector, type ConnectorKit } from '@finmesh/connector-kit';
import { describeFindigiError, FindigiClient, findigiSigner } from './client';
import { findigiCallbackTranslator } from './callbacks';
import type { FindigiConfig } from './config';
import { FindigiAssets } from './normalize';
import { findigiPaymentInitiator, findigiPaymentPoller } from './payments';
import { accountsFetcher, balancesFetcher, RESOURCE_KINDS, transactionsFetcher, type FindigiSyncOptions } from './sync';
import { totpCode } from './totp';

/** Where 2FA codes come from: a TOTP secret, a fixed code (the sandbox's), or nowhere. */
export function twoFactorCodeSource(config: FindigiConfig, now: () => Date = () => new Date()): (() => string) | undefined {
  const totpSecret = config.FINDIGI_TOTP_SECRET;
  if (totpSecret !== undefined) return () => totpCode(totpSecret, now());
  const fixedCode = config.FINDIGI_2FA_CODE;
  return fixedCode === undefined ? undefined : () => fixedCode;
}

export function createFindigiClient(config: FindigiConfig, kit: ConnectorKit): FindigiClient {
  const twoFactorCode = twoFactorCodeSource(config);
  return new FindigiClient(
    kit.createHttpClient({
      provider: 'findigi',
      baseUrl: config.FINDIGI_BASE_URL,
      sign: findigiSigner(config.FINDIGI_MODE === 'sandbox'),
      describeError: describeFindigiError,
    }),
    {
      email: config.FINDIGI_EMAIL,
      password: config.FINDIGI_PASSWORD,
      ...(twoFactorCode === undefined ? {} : { twoFactorCode }),
      ...(config.FINDIGI_CLIENT_ID === undefined ? {} : { clientId: config.FINDIGI_CLIENT_ID }),
      refreshMarginMs: config.FINDIGI_TOKEN_REFRESH_MARGIN_MS,
    },
  );
}

/**
 * The FinDIGI connector: one workspace's fiat wallets and FinVault positions (balances and
 * transactions), wallet and bank transfers (with maker-checker approval) followed by polling and
 * by FinDIGI's transfer webhooks (through the ingress).
 */
export function createFindigiConnector(config: FindigiConfig, kit: ConnectorKit): Connector {
  return createFindigiConnectorParts(config, kit).connector;
}

export interface FindigiConnectorParts {
  connector: Connector;
  /** The same client (and session) the connector uses, for the FinDIGI routes of the connector's API. */
  client: FindigiClient;
}

export function createFindigiConnectorParts(config: FindigiConfig, kit: ConnectorKit): FindigiConnectorParts {
  const client = createFindigiClient(config, kit);
  const assets = new FindigiAssets(config.FINDIGI_ASSETS);
  const sync: FindigiSyncOptions = { client, assets, pageSize: config.FINDIGI_PAGE_SIZE, finvault: config.FINDIGI_FINVAULT_ENABLED };
  const connector = defineConnector({
    name: 'findigi',
    provider: 'findigi',
    capabilities: ['fetch_accounts', 'fetch_balances', 'fetch_transactions', 'initiate_payment', 'poll_payment_status', 'translate_callbacks'],
    handlers: {
      fetch_accounts: accountsFetcher(sync),
      fetch_balances: balancesFetcher(sync),
      fetch_transactions: transactionsFetcher(sync),
      initiate_payment: findigiPaymentInitiator(client, assets),
      poll_payment_status: findigiPaymentPoller(client),
      translate_callbacks: findigiCallbackTranslator(),
    },
    collections: [
      { kind: RESOURCE_KINDS.wallet, collection: 'wallets', description: 'Fiat wallets of the workspace' },
      { kind: RESOURCE_KINDS.vaultWallet, collection: 'finvault-wallets', description: 'FinVault (custodial crypto) wallets of the workspace' },
    ],
    syncIntervalsMs: { accounts: 3_600_000, balances: 300_000, transactions: 60_000 },
    probe: (signal) => client.probe(signal),
  });
  return { connector, client };
}
