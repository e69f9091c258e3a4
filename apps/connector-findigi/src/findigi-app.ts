import 'reflect-metadata';
import { ConnectorModule, ConnectorRuntime, startConnectorApp, type ConnectorApp } from '@finmesh/connector-kit';
import { Module, type DynamicModule } from '@nestjs/common';
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
 * The kit's runtime and app, with FinDIGI's controllers in its module.
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
  if (!parts) {
    await runtime.close();
    throw new Error('the FinDIGI connector was not created');
  }
  return startConnectorApp(runtime, { module: FindigiConnectorModule.forRoot(runtime, parts, config) });
}
