import { bootstrapConnector, type ConnectorApp } from '@finmesh/connector-kit';
import type { IndxConfig } from './config';
import { createIndxConnector } from './connector';

/** Boots the INDX connector service; main.ts calls it, integration tests call it in-process. */
export function bootstrapIndxConnector(config: IndxConfig): Promise<ConnectorApp> {
  return bootstrapConnector({ service: 'connector-indx', config, createConnector: (kit) => createIndxConnector(config, kit) });
}
