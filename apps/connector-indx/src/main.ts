import 'reflect-metadata';
import { ConfigError } from '@finmesh/service-runtime';
import { loadIndxConfig, type IndxConfig } from './config';
import { bootstrapIndxConnector } from './indx-app';

let config: IndxConfig;
try {
  config = loadIndxConfig();
} catch (error: unknown) {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(78);
}
bootstrapIndxConnector(config).catch((error: unknown) => {
  console.error(`connector-indx failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exit(1);
});
