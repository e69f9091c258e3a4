import { join, resolve } from 'node:path';
import { ensureBroker, stopBroker } from '@finmesh/tools-kafka';
import { ensureDatabase, LOCAL_DATABASE_URL, parseDatabaseUrl, redactDatabaseUrl, withDatabase } from '@finmesh/persistence';

/**
 * `npm start`: the whole of finmesh on one machine. It provisions what the services need — the
 * Kafka broker (tools/kafka, or KAFKA_BROKERS) and the `finmesh` database (DATABASE_URL, or the
 * local server) — then keeps them up until Ctrl-C, when it stops what it started.
 * `npm start -- --once` provisions, prints the summary and exits (for scripts and tests).
 */
const WORKSPACE_ROOT = resolve(__dirname, '..', '..', '..');
const STATE_DIR = join(WORKSPACE_ROOT, '.finmesh');
const KAFKA_PORT = Number.parseInt(process.env['KAFKA_PORT'] ?? '9092', 10);

const log = (line: string): void => console.log(`[finmesh] ${line}`);

async function main(): Promise<void> {
  const once = process.argv.includes('--once');
  const databaseUrl = process.env['DATABASE_URL'] ?? withDatabase(LOCAL_DATABASE_URL, 'finmesh');
  parseDatabaseUrl(databaseUrl);

  const broker = await ensureBroker({ port: KAFKA_PORT, dataDir: join(STATE_DIR, 'kafka'), log });
  const { created } = await ensureDatabase(databaseUrl);
  log(`PostgreSQL database ${redactDatabaseUrl(databaseUrl)} ${created ? 'created' : 'ready'}`);

  console.log('');
  console.log('finmesh local stack');
  console.log(`  Kafka       ${broker.brokers}${broker.external ? ' (KAFKA_BROKERS)' : ` (data in ${join(STATE_DIR, 'kafka')})`}`);
  console.log(`  PostgreSQL  ${redactDatabaseUrl(databaseUrl)}`);
  console.log('');

  const shutdown = async (): Promise<void> => {
    if (broker.startedHere) await stopBroker({ port: KAFKA_PORT, dataDir: join(STATE_DIR, 'kafka'), log });
  };
  if (once) {
    await shutdown();
    return;
  }
  log('running; press Ctrl-C to stop');
  await new Promise<void>((resolvePromise) => {
    const keepAlive = setInterval(() => undefined, 60_000);
    const stop = (): void => {
      clearInterval(keepAlive);
      resolvePromise();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  log('stopping');
  await shutdown();
}

main().catch((error: unknown) => {
  console.error(`[finmesh] ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
