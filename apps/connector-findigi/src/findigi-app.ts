import 'reflect-metadata';
import { ConnectorModule, ConnectorRuntime, type ConnectorApp } from '@finmesh/connector-kit';
import { createFastifyAdapter } from '@finmesh/service-runtime';
import { Module, type DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Logger } from 'nestjs-pino';
import { FindigiBatches } from './batches';
import { BatchTransfersController, FINDIGI_BATCHES } from './batches.controller';
import type { FindigiConfig } from './config';
import { createFindigiConnectorParts, type FindigiConnectorParts } from './connector';
import { FindigiAssets } from './normalize';
import { FINDIGI_API_LOG, FINDIGI_CLIENT, FINDIGI_FX_MIN_FRESH_SECONDS, FxController } from './fx.controller';

/** The kit's connector service plus FinDIGI's own routes (FX, batch transfers). */
@Module({})
class FindigiConnectorModule {
  static forRoot(runtime: ConnectorRuntime, parts: FindigiConnectorParts, config: FindigiConfig): DynamicModule {
    return {
      module: FindigiConnectorModule,
      imports: [ConnectorModule.forRoot(runtime)],
      controllers: [FxController, BatchTransfersController],
      providers: [
        { provide: FINDIGI_CLIENT, useValue: parts.client },
        { provide: FINDIGI_API_LOG, useValue: runtime.log },
        { provide: FINDIGI_FX_MIN_FRESH_SECONDS, useValue: config.FINDIGI_FX_MIN_FRESH_SECONDS },
        { provide: FINDIGI_BATCHES, useValue: new FindigiBatches(parts.client, new FindigiAssets(config.FINDIGI_ASSETS), runtime.payments, runtime.pool) },
      ],
    };
  }
}

/**
 * Boots the FinDIGI connector service; main.ts calls it, integration tests call it in-process.
 * Mirrors the kit's bootstrapConnector with FinDIGI's controllers added (the kit's module has no
 * hook for a connector's own routes).
 */
export async function bootstrapFindigiConnector(config: FindigiConfig): Promise<ConnectorApp> {
  let parts: FindigiConnectorParts | undefined;
  const runtime = await ConnectorRuntime.open({
    service: 'connector-findigi',
    config,
    createConnector: (kit) => {
      parts = createFindigiConnectorParts(config, kit);
      return parts.connector;
    },
  });
  try {
    if (!parts) throw new Error('the FinDIGI connector was not created');
    const app = await NestFactory.create<NestFastifyApplication>(FindigiConnectorModule.forRoot(runtime, parts, config), createFastifyAdapter({ bodyLimit: 256 * 1024 }), {
      bufferLogs: true,
    });
    app.useLogger(app.get(Logger));
    app.enableShutdownHooks();
    await app.listen(config.PORT, config.HOST);
    const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
    runtime.log.info('connector ready', { url });
    return { app, runtime, url };
  } catch (error: unknown) {
    await runtime.close();
    throw error;
  }
}
