import 'reflect-metadata';
import { ConfigError } from '@finmesh/service-runtime';
import { loadFinxConfig, type FinxConfig } from './config';
import { bootstrapFinxConnector } from './finx-app';

let config: FinxConfig;
try {
  config = loadFinxConfig();
} catch (error: unknown) {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(78);
}
bootstrapFinxConnector(config).catch((error: unknown) => {
  console.error(`connector-finx failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exit(1);
});
