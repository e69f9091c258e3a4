import 'reflect-metadata';
import { ConfigError } from '@finmesh/service-runtime';
import { loadIndexoConfig, type IndexoConfig } from './config';
import { bootstrapIndexoConnector } from './indexo-app';

let config: IndexoConfig;
try {
  config = loadIndexoConfig();
} catch (error: unknown) {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(78);
}
bootstrapIndexoConnector(config).catch((error: unknown) => {
  console.error(`connector-indexo failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exit(1);
});
