import { defineConnector, type Connector, type ConnectorKit, type EventSink } from '@finmesh/connector-kit';
import type { IndodaxClient } from './client';
import type { IndodaxConfig } from './config';
import { IndodaxAssets } from './normalize';
import { indodaxPaymentInitiator, indodaxPaymentPoller } from './payments';
import { addDays, balancesFetcher, RESOURCE_KINDS, transactionsFetcher, type IndodaxSyncOptions } from './sync';
import type { WithdrawalStore } from './withdrawal-store';

export interface IndodaxConnectorParts {
  client: IndodaxClient;
  withdrawals: WithdrawalStore;
  /** Publishes the withdrawal announcement before withdrawCoin (the kit publishes statuses only after initiation). */
  announcements: EventSink;
}

/**
 * The Indodax connector's capabilities. Indodax's only callback is the withdraw verification,
 * which the ingress answers; it carries no status, so the connector does not translate callbacks:
 * orders and withdrawals are followed by polling (getOrder, transHistory).
 */
export function createIndodaxConnector(config: IndodaxConfig, kit: ConnectorKit, parts: IndodaxConnectorParts): Connector {
  const assets = new IndodaxAssets(config.INDODAX_ASSETS);
  const sync: IndodaxSyncOptions = {
    client: parts.client,
    assets,
    withdrawals: parts.withdrawals,
    pairs: config.INDODAX_PAIRS,
    historyStart: (serverDay) => config.INDODAX_HISTORY_START ?? addDays(serverDay, -config.INDODAX_HISTORY_DAYS),
    orderHistoryCount: config.INDODAX_ORDER_HISTORY_COUNT,
  };
  kit.log.debug('indodax connector configured', { pairs: config.INDODAX_PAIRS });
  return defineConnector({
    name: 'indodax',
    provider: 'indodax',
    capabilities: ['fetch_balances', 'fetch_transactions', 'initiate_payment', 'poll_payment_status'],
    handlers: {
      fetch_balances: balancesFetcher(sync),
      fetch_transactions: transactionsFetcher(sync),
      initiate_payment: indodaxPaymentInitiator({ client: parts.client, assets, withdrawals: parts.withdrawals, announcements: parts.announcements }),
      poll_payment_status: indodaxPaymentPoller({ client: parts.client, withdrawals: parts.withdrawals }),
    },
    collections: [{ kind: RESOURCE_KINDS.order, collection: 'orders', description: 'Orders per pair (parentId: the pair), open and finished, from orderHistory' }],
    syncIntervalsMs: { balances: 60_000, transactions: 60_000 },
    probe: (signal) => parts.client.probe(signal),
  });
}
