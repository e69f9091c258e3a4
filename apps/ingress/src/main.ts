import cluster from 'node:cluster';
import { ConfigError, createLogger } from '@finmesh/service-runtime';
import { loadIngressConfig, type IngressConfig } from './config';
import { startIngress } from './ingress-app';
import { IngressDatabase } from './persistence/ingress-database';

/**
 * `node tools/run-ts.cjs apps/ingress/src/main.ts` — configuration comes from the environment.
 * With INGRESS_WORKERS > 1 the process forks that many workers sharing the listening ports (Node
 * cluster): one Node process uses one core for its JavaScript, and the ingress is CPU-bound.
 * Migrations then run once, in the primary, before the workers start.
 */
// kafkajs warns at every start that its default partitioner changed in v2; finmesh has always used v2's.
process.env['KAFKAJS_NO_PARTITIONER_WARNING'] ??= '1';

const log = createLogger({ service: 'ingress', level: 'info' });

async function runIngress(config: IngressConfig): Promise<void> {
  const ingress = await startIngress(config);
  const stop = (): void => {
    ingress.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

async function runPrimary(config: IngressConfig): Promise<void> {
  if (config.INGRESS_RUN_MIGRATIONS) {
    const database = await IngressDatabase.open({
      url: config.DATABASE_URL,
      poolSize: 1,
      runMigrations: true,
      log: (message, extra) => log.info(extra ?? {}, message),
    });
    await database.close();
  }
  // Workers run the same entry point; one that loads TypeScript through a register hook (tools/run-ts.cjs) passes it on.
  const tsRegister = require.extensions['.ts'] === undefined ? [] : ['-r', '@swc-node/register'];
  cluster.setupPrimary({ execArgv: [...process.execArgv, ...tsRegister] });
  let stopping = false;
  const fork = (): void => {
    cluster.fork({ INGRESS_WORKERS: '1', INGRESS_RUN_MIGRATIONS: 'false' });
  };
  for (let index = 0; index < config.INGRESS_WORKERS; index += 1) fork();
  cluster.on('exit', (worker, code, signal) => {
    if (stopping) return;
    log.error({ pid: worker.process.pid, code, signal }, 'an ingress worker died; starting another');
    fork();
  });
  const stop = (): void => {
    stopping = true;
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGTERM');
    const waitForWorkers = setInterval(() => {
      if (Object.keys(cluster.workers ?? {}).length === 0) {
        clearInterval(waitForWorkers);
        process.exit(0);
      }
    }, 100);
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

async function main(): Promise<void> {
  const config = loadIngressConfig();
  if (cluster.isPrimary && config.INGRESS_WORKERS > 1) await runPrimary(config);
  else await runIngress(config);
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) log.fatal({ problems: error.problems }, error.message);
  else log.fatal({ err: error }, 'the ingress could not start');
  process.exitCode = 1;
});
