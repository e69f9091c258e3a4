import { bootstrapConnector, ConnectorPublisher, type ConnectorApp } from '@finmesh/connector-kit';
import { createIdempotentProducer, createKafka, EventPublisher } from '@finmesh/kafka';
import { Pool } from 'pg';
import { IndodaxClient, type TapiMethod } from './client';
import type { IndodaxConfig } from './config';
import { createIndodaxConnector } from './connector';
import { INDODAX_MIGRATIONS } from './migrations';
import { PostgresNonceGate } from './nonce-gate';
import { WithdrawalStore } from './withdrawal-store';

export interface IndodaxConnectorApp extends ConnectorApp {
  /** Closes the service and the connector's own pool, producer and HTTP agent. */
  close(): Promise<void>;
}

/**
 * Boots the Indodax connector service; main.ts calls it, integration tests call it in-process.
 * Besides the kit's runtime it owns a small pool (the per-key nonce turn, the withdrawal table)
 * and a producer for the withdrawal announcements.
 */
export async function bootstrapIndodaxConnector(config: IndodaxConfig): Promise<IndodaxConnectorApp> {
  const pool = new Pool({ connectionString: config.DATABASE_URL, max: config.INDODAX_DB_POOL_SIZE, application_name: 'connector-indodax-tapi' });
  // An idle client that loses its connection emits 'error'; the pool replaces it.
  pool.on('error', () => undefined);
  const producer = createIdempotentProducer(createKafka({ brokers: config.KAFKA_BROKERS, clientId: `${config.KAFKA_CLIENT_ID}-withdrawals` }));
  // The kit's metrics exist once the runtime does; requests made before are not counted.
  let metrics: { requestCompleted(info: { endpoint: string; method: string; outcome: string; durationMs: number }): void } | undefined;
  const client = new IndodaxClient({
    baseUrl: config.INDODAX_BASE_URL,
    apiKey: config.INDODAX_API_KEY,
    secretKey: config.INDODAX_SECRET_KEY,
    nonces: new PostgresNonceGate(pool),
    limits: { tradePerSecond: config.INDODAX_TRADE_REQUESTS_PER_SECOND, cancelPerSecond: config.INDODAX_CANCEL_REQUESTS_PER_SECOND, tradeBlockMs: config.INDODAX_TRADE_BLOCK_MS, windowMarginMs: config.INDODAX_RATE_WINDOW_MARGIN_MS },
    timeouts: { connectMs: config.PROVIDER_CONNECT_TIMEOUT_MS, responseMs: config.PROVIDER_RESPONSE_TIMEOUT_MS },
    retry: { maxRetries: config.PROVIDER_MAX_RETRIES, initialDelayMs: config.PROVIDER_RETRY_INITIAL_MS, maxDelayMs: config.PROVIDER_RETRY_MAX_MS },
    observer: {
      requestCompleted: (info: { method: TapiMethod; outcome: string; durationMs: number }) =>
        metrics?.requestCompleted({ endpoint: info.method, method: 'POST', outcome: info.outcome, durationMs: info.durationMs }),
    },
  });
  const closeOwn = async (): Promise<void> => {
    await producer.disconnect().catch(() => undefined);
    await client.close().catch(() => undefined);
    await pool.end().catch(() => undefined);
  };
  try {
    await producer.connect();
    const announcements = new ConnectorPublisher(new EventPublisher(producer, { topicPrefix: config.KAFKA_TOPIC_PREFIX }), 'indodax');
    const app = await bootstrapConnector({
      service: 'connector-indodax',
      config,
      migrations: INDODAX_MIGRATIONS,
      createConnector: (kit) => createIndodaxConnector(config, kit, { client, withdrawals: new WithdrawalStore(pool), announcements }),
    });
    metrics = app.runtime.metrics;
    return {
      ...app,
      close: async () => {
        await app.app.close();
        await closeOwn();
      },
    };
  } catch (error: unknown) {
    await closeOwn();
    throw error;
  }
}
