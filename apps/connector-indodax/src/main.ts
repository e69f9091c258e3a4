import 'reflect-metadata';
import { ConfigError } from '@finmesh/service-runtime';
import { loadIndodaxConfig, type IndodaxConfig } from './config';
import { bootstrapIndodaxConnector } from './indodax-app';

let config: IndodaxConfig;
try {
  config = loadIndodaxConfig();
} catch (error: unknown) {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(78);
}
bootstrapIndodaxConnector(config).catch((error: unknown) => {
  console.error(`connector-indodax failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exit(1);
});
