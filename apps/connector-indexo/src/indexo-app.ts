import 'reflect-metadata';
import { Inject, Module, type DynamicModule, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ConnectorModule, ConnectorRuntime, startConnectorApp, type ConnectorApp } from '@finmesh/connector-kit';
import { Pool } from 'pg';
import type { IndexoConfig } from './config';
import { createIndexoConnector, type IndexoConnectorParts } from './connector';
import { ConsentTracker, type ConsentService } from './consents';
import { ConsentsController, INDEXO_CONSENTS, INDEXO_INITIATIONS, INDEXO_RUNTIME, PaymentAuthorisationController } from './consents.controller';
import { INDEXO_MIGRATIONS } from './migrations';
import type { PaymentInitiations } from './payments';

const INDEXO_SERVICE = Symbol('indexo-service');

interface IndexoService {
  runtime: ConnectorRuntime;
  tracker: ConsentTracker;
  trackerEnabled: boolean;
  pool: Pool;
}

/** Starts the consent tracker with the app; on shutdown stops it, closes the kit's runtime, then the connector's own pool. */
class IndexoLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(@Inject(INDEXO_SERVICE) private readonly service: IndexoService) {}

  onApplicationBootstrap(): void {
    if (this.service.trackerEnabled) this.service.tracker.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.service.tracker.stop();
    await this.service.runtime.close();
    await this.service.pool.end().catch(() => undefined);
  }
}

/** The kit's connector service plus the INDEXO consent API and the payments' SCA challenge. */
@Module({})
class IndexoConnectorModule {
  static forRoot(service: IndexoService, parts: IndexoConnectorParts): DynamicModule {
    return {
      module: IndexoConnectorModule,
      imports: [ConnectorModule.forRoot(service.runtime)],
      controllers: [ConsentsController, PaymentAuthorisationController],
      providers: [
        { provide: INDEXO_SERVICE, useValue: service },
        { provide: INDEXO_CONSENTS, useValue: parts.consents },
        { provide: INDEXO_INITIATIONS, useValue: parts.initiations },
        { provide: INDEXO_RUNTIME, useValue: service.runtime },
        IndexoLifecycle,
      ],
    };
  }
}

export interface IndexoConnectorApp extends ConnectorApp {
  consents: ConsentService;
}

/**
 * Boots the INDEXO connector service; main.ts calls it, integration tests call it in-process.
 * The kit's runtime and app, with the consent controllers and tracker in its module.
 */
export async function bootstrapIndexoConnector(config: IndexoConfig): Promise<IndexoConnectorApp> {
  const pool = new Pool({ connectionString: config.DATABASE_URL, max: 4, application_name: 'connector-indexo' });
  // An idle client that loses its connection emits 'error'; the pool replaces it.
  pool.on('error', () => undefined);
  const holder: { parts?: IndexoConnectorParts } = {};
  let runtime: ConnectorRuntime;
  try {
    runtime = await ConnectorRuntime.open({
      service: 'connector-indexo',
      config,
      migrations: INDEXO_MIGRATIONS,
      createConnector: (kit) => {
        holder.parts = createIndexoConnector(config, kit, pool);
        return holder.parts.connector;
      },
    });
  } catch (error: unknown) {
    await pool.end().catch(() => undefined);
    throw error;
  }
  const parts = holder.parts;
  try {
    if (!parts) {
      await runtime.close();
      throw new Error('the INDEXO connector was not created');
    }
    const tracker = new ConsentTracker(parts.consents, config.INDEXO_CONSENT_CHECK_INTERVAL_MS, runtime.log);
    const service: IndexoService = { runtime, tracker, trackerEnabled: config.INDEXO_CONSENT_TRACKER_ENABLED, pool };
    const started = await startConnectorApp(runtime, {
      module: IndexoConnectorModule.forRoot(service, parts),
      beforeListen: (app) => addChallengeToPaymentAnswers(app, parts.initiations),
    });
    return { ...started, consents: parts.consents };
  } catch (error: unknown) {
    // The runtime is closed by then (startConnectorApp closes it on failure).
    await pool.end().catch(() => undefined);
    throw error;
  }
}

/**
 * The kit's `POST /v1/payments` answer has no place for a provider's SCA challenge, which the
 * caller must show the PSU at once: it is added as `sca.challenge` on the way out.
 */
function addChallengeToPaymentAnswers(app: NestFastifyApplication, initiations: PaymentInitiations): void {
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onSend', async (request, reply, payload) => {
      if (request.method !== 'POST' || request.routeOptions.url !== '/v1/payments' || (reply.statusCode !== 200 && reply.statusCode !== 201) || typeof payload !== 'string') {
        return payload;
      }
      const answer = JSON.parse(payload) as Record<string, unknown>;
      const providerPaymentId = answer['providerPaymentId'];
      if (typeof providerPaymentId !== 'string') return payload;
      const initiation = await initiations.get(providerPaymentId);
      if (!initiation) return payload;
      return JSON.stringify({ ...answer, sca: { challenge: initiation.challenge, approach: 'DECOUPLED' } });
    });
}
