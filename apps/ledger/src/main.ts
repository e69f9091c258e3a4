import 'reflect-metadata';
import { ConfigError } from '@finmesh/service-runtime';
import { loadLedgerConfig, type LedgerConfig } from './config/ledger-config';
import { bootstrapLedger } from './ledger-app';

let config: LedgerConfig;
try {
  config = loadLedgerConfig();
} catch (error: unknown) {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(78);
}
bootstrapLedger(config).catch((error: unknown) => {
  console.error(`ledger failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exit(1);
});
