import { defineConnector, type Connector, type ConnectorKit } from '@finmesh/connector-kit';
//#if callbacks
import { __name__CallbackTranslator } from './callbacks';
//#endif
import { __Name__Client, describe__Name__Error } from './client';
import type { __Name__Config } from './config';
//#if payments
import { __name__PaymentInitiator, __name__PaymentPoller } from './payments';
//#endif
import { ACCOUNT_KIND, accountsFetcher, balancesFetcher } from './sync';

/** The __name__ connector: what it declares is all the kit will ever call. */
export function create__Name__Connector(config: __Name__Config, kit: ConnectorKit): Connector {
  const token = config.__NAME___API_TOKEN;
  const client = new __Name__Client(
    kit.createHttpClient({
      provider: '__provider__',
      baseUrl: config.__NAME___BASE_URL,
      // The provider's auth scheme: use its helper from @finmesh/signing where one exists.
      sign: () => ({ authorization: `Bearer ${token}` }),
      describeError: describe__Name__Error,
    }),
  );
  const sync = { client, pageSize: config.__NAME___PAGE_SIZE };
  return defineConnector({
    name: '__name__',
    provider: '__provider__',
    capabilities: [__CAPABILITIES__],
    handlers: {
      fetch_accounts: accountsFetcher(sync),
      fetch_balances: balancesFetcher(sync),
//#if payments
      initiate_payment: __name__PaymentInitiator(client),
      poll_payment_status: __name__PaymentPoller(client),
//#endif
//#if callbacks
      translate_callbacks: __name__CallbackTranslator,
//#endif
    },
    collections: [{ kind: ACCOUNT_KIND, collection: 'accounts', description: '__name__ accounts' }],
    syncIntervalsMs: { accounts: 3_600_000, balances: 300_000 },
    probe: (signal) => client.probe(signal),
  });
}
