// What other tools read from the local stack: the service registry and the provisioning pieces.
export { configErrorOf, variablesNamed } from './app-config-probe';
export { databaseUrlVariable, loadMigrations } from './provision/provision';
export {
  EXCLUDED_APPS,
  HEALTH_LIVE_PATH,
  HEALTH_READY_PATH,
  SERVICES,
  serviceNamed,
  startOrder,
} from './service-registry';
export type { Exposure, MigrationSource, ServiceDefinition, ServiceRole } from './service-registry';
