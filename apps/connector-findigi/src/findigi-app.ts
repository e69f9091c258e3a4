import { bootstrapConnector, type ConnectorApp } from '@finmesh/connector-kit';
import type { FindigiConfig } from './config';
import { createFindigiConnector } from './connector';

/** Boots the FinDIGI connector service; main.ts calls it, integration tests call it in-process. */
export function bootstrapFindigiConnector(config: FindigiConfig): Promise<ConnectorApp> {
  return bootstrapConnector({ service: 'connector-findigi', config, createConnector: (kit) => createFindigiConnector(config, kit) });
}
