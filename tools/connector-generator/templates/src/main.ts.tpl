import 'reflect-metadata';
import { ConfigError } from '@finmesh/service-runtime';
import { load__Name__Config, type __Name__Config } from './config';
import { bootstrap__Name__Connector } from './__name__-app';

let config: __Name__Config;
try {
  config = load__Name__Config();
} catch (error: unknown) {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(78);
}
bootstrap__Name__Connector(config).catch((error: unknown) => {
  console.error(`connector-__name__ failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exit(1);
});
