import { bootstrapConnector, type ConnectorApp } from '@finmesh/connector-kit';
import type { __Name__Config } from './config';
import { create__Name__Connector } from './connector';

/** Boots the __name__ connector service; main.ts calls it, integration tests call it in-process. */
export function bootstrap__Name__Connector(config: __Name__Config): Promise<ConnectorApp> {
  return bootstrapConnector({ service: 'connector-__name__', config, createConnector: (kit) => create__Name__Connector(config, kit) });
}
