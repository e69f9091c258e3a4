import { booleanEnv, ConfigError, databaseEnv, integerEnv, kafkaEnv, loadConfig } from '@finmesh/service-runtime';
import { z } from 'zod';
import { SERVICES } from '../service-registry';
import { databaseUrlVariable, provisionRegistryTopics, provisionServiceDatabase } from './provision';

/**
 * The one-shot provisioning job of docker-compose.yml (`provision`) and k8s/ (Job `finmesh-provision`):
 * creates the registry's topics and applies every service's migrations, then exits 0.
 * `node dist/tools/local-stack/src/provision/provision-main.js`
 */
const servicesWithDatabase = SERVICES.filter((service) => service.database !== undefined);

const schema = z.object({
  ...kafkaEnv({ clientId: 'finmesh-provision' }),
  /** 1 for a single broker (compose); 3 on a production cluster. */
  KAFKA_REPLICATION_FACTOR: integerEnv({ min: 1, max: 7 }).default(1),
  /** Create missing service databases (needs CREATEDB); off where databases are managed elsewhere. */
  FINMESH_CREATE_DATABASES: booleanEnv().default(false),
  ...Object.fromEntries(servicesWithDatabase.map((service) => [databaseUrlVariable(service), databaseEnv().DATABASE_URL])),
});

async function main(): Promise<void> {
  const config = loadConfig(schema, process.env) as Record<string, unknown> & z.output<typeof schema>;
  const log = (line: string): void => console.log(JSON.stringify({ level: 'info', service: 'provision', msg: line }));
  await provisionRegistryTopics({
    brokers: config.KAFKA_BROKERS,
    topicPrefix: config.KAFKA_TOPIC_PREFIX,
    replicationFactor: config.KAFKA_REPLICATION_FACTOR,
    log,
  });
  for (const service of servicesWithDatabase) {
    const url = config[databaseUrlVariable(service)];
    if (typeof url !== 'string') throw new Error(`${databaseUrlVariable(service)} is required`);
    await provisionServiceDatabase(service, url, { createDatabase: config.FINMESH_CREATE_DATABASES, log });
  }
  log('provisioning complete');
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : `provisioning failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
