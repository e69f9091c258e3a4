import 'reflect-metadata';
import { ConfigError } from '@finmesh/service-runtime';
import { loadFindigiConfig, type FindigiConfig } from './config';
import { bootstrapFindigiConnector } from './findigi-app';

let config: FindigiConfig;
try {
  config = loadFindigiConfig();
} catch (error: unknown) {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(78);
}
bootstrapFindigiConnector(config).catch((error: unknown) => {
  console.error(`connector-findigi failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exit(1);
});
