import { defineConnector, type Connector, type ConnectorKit } from '@finmesh/connector-kit';
import type { Pool } from 'pg';
import { describeIndexoError, IndexoClient, indexoSigner, type NotificationTarget } from './client';
import { indexoCallbackTranslator } from './callbacks';
import type { IndexoConfig } from './config';
import { ConsentService } from './consents';
import { indexoPaymentInitiator, indexoPaymentPoller, PaymentInitiations } from './payments';
import { accountsFetcher, balancesFetcher, RESOURCE_KINDS, transactionsFetcher } from './sync';

export interface IndexoConnectorParts {
  connector: Connector;
  consents: ConsentService;
  initiations: PaymentInitiations;
}

/**
 * The INDEXO connector: accounts, balances and transactions under the consents the PSU
 * authorised, SEPA credit transfers followed by polling and by INDEXO's status notifications
 * (through the ingress). INDEXO has no external-accounts resource.
 */
export function createIndexoConnector(config: IndexoConfig, kit: ConnectorKit, pool: Pool): IndexoConnectorParts {
  const client = new IndexoClient(
    kit.createHttpClient({
      provider: 'indexo',
      baseUrl: config.INDEXO_BASE_URL,
      sign: indexoSigner({
        subscriptionKey: config.INDEXO_SUBSCRIPTION_KEY,
        psuId: config.INDEXO_PSU_ID,
        psuIpAddress: config.INDEXO_PSU_IP_ADDRESS,
        certificate: config.INDEXO_QWAC_CERTIFICATE,
      }),
      describeError: describeIndexoError,
    }),
    config.INDEXO_BASE_URL,
  );
  const notification: NotificationTarget | undefined = config.INDEXO_NOTIFICATION_URI === undefined ? undefined : { uri: config.INDEXO_NOTIFICATION_URI };
  const consents = new ConsentService({
    pool,
    client,
    psuId: config.INDEXO_PSU_ID,
    mode: config.INDEXO_MODE,
    notification,
    scaPoll: { initialMs: config.INDEXO_SCA_POLL_INITIAL_MS, maxMs: config.INDEXO_SCA_POLL_MAX_MS, timeoutMs: config.INDEXO_SCA_TIMEOUT_MS },
    statusIntervalMs: config.INDEXO_CONSENT_STATUS_INTERVAL_MS,
    expiryWarningDays: config.INDEXO_CONSENT_EXPIRY_WARNING_DAYS,
    log: kit.log,
  });
  const initiations = new PaymentInitiations(pool);
  const sync = { client, consents, pool, transactionsHistoryDays: config.INDEXO_TRANSACTIONS_HISTORY_DAYS };
  const payments = { client, initiations, mode: config.INDEXO_MODE, notification };
  const connector = defineConnector({
    name: 'indexo',
    provider: 'indexo',
    capabilities: ['fetch_accounts', 'fetch_balances', 'fetch_transactions', 'initiate_payment', 'poll_payment_status', 'translate_callbacks'],
    handlers: {
      fetch_accounts: accountsFetcher(sync),
      fetch_balances: balancesFetcher(sync),
      fetch_transactions: transactionsFetcher(sync),
      initiate_payment: indexoPaymentInitiator(payments),
      poll_payment_status: indexoPaymentPoller(payments),
      translate_callbacks: indexoCallbackTranslator(consents),
    },
    collections: [{ kind: RESOURCE_KINDS.account, collection: 'accounts', description: 'INDEXO accounts available under the consents (id: the IBAN)' }],
    syncIntervalsMs: { accounts: 3_600_000, balances: 900_000, transactions: 300_000 },
    probe: (signal) => client.probe(signal),
  });
  return { connector, consents, initiations };
}
