import { join, resolve } from 'node:path';
import { createKafka, provisionTopics } from '@finmesh/kafka';
import { createDataSource, ensureDatabase, redactDatabaseUrl, runMigrations } from '@finmesh/persistence';
import { topicSpecs } from '@finmesh/schemas';
import type { ServiceDefinition } from '../service-registry';

/**
 * What has to exist before the services start — the topics of the registry (partitions and
 * retention from libs/schemas), each service's database and its migrations. Shared by `npm start`
 * and the one-shot provisioning job of docker-compose.yml and k8s/ (provision-main.ts).
 */

/** The workspace (or dist/) root: app modules are found under it by their workspace path. */
const CODE_ROOT = resolve(__dirname, '..', '..', '..', '..');

export type ProvisionLog = (line: string) => void;

export async function provisionRegistryTopics(options: {
  brokers: readonly string[];
  topicPrefix: string;
  replicationFactor: number;
  log: ProvisionLog;
}): Promise<{ created: string[]; existing: string[] }> {
  const admin = createKafka({ brokers: [...options.brokers], clientId: 'finmesh-provision' }).admin();
  await admin.connect();
  try {
    const result = await provisionTopics(admin, topicSpecs(options.topicPrefix), options.replicationFactor);
    options.log(`topics: ${result.created.length} created, ${result.existing.length} already there`);
    return result;
  } finally {
    await admin.disconnect();
  }
}

/** `LEDGER_DATABASE_URL`, `INGRESS_DATABASE_URL`…: how the provisioning job is told each service's database. */
export function databaseUrlVariable(service: Pick<ServiceDefinition, 'app'>): string {
  return `${service.app.toUpperCase().replace(/-/g, '_')}_DATABASE_URL`;
}

/** Loads the migration classes a service exports (the same list the service runs at boot). */
export function loadMigrations(service: ServiceDefinition): Array<new () => unknown> {
  if (service.database === undefined) return [];
  return service.database.migrations.modules.flatMap(({ module, exportName }) => {
    // A path, not an import: tools may not import apps, and the job runs the apps' compiled code.
    const loaded = require(join(CODE_ROOT, module)) as Record<string, unknown>;
    const migrations = loaded[exportName];
    if (!Array.isArray(migrations) || migrations.length === 0 || !migrations.every((item) => typeof item === 'function')) {
      throw new Error(`${module} does not export ${exportName} as a list of migration classes`);
    }
    return migrations as Array<new () => unknown>;
  });
}

/** Creates the service's database when asked, then applies its pending migrations. */
export async function provisionServiceDatabase(
  service: ServiceDefinition,
  databaseUrl: string,
  options: { createDatabase: boolean; log: ProvisionLog },
): Promise<string[]> {
  if (service.database === undefined) return [];
  if (options.createDatabase) {
    const { created } = await ensureDatabase(databaseUrl);
    if (created) options.log(`${service.app}: created database ${redactDatabaseUrl(databaseUrl)}`);
  }
  const dataSource = createDataSource({
    url: databaseUrl,
    applicationName: `finmesh-provision-${service.app}`,
    migrations: loadMigrations(service),
    migrationsTableName: service.database.migrations.table,
    poolSize: 1,
  });
  await dataSource.initialize();
  try {
    const applied = await runMigrations(dataSource);
    options.log(`${service.app}: ${applied.length === 0 ? 'schema up to date' : `applied ${applied.join(', ')}`}`);
    return applied;
  } finally {
    await dataSource.destroy();
  }
}
