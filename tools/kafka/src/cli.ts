import { join, resolve } from 'node:path';
import { brokerStatus, ensureBroker, stopBroker } from './broker';

/**
 * `npm run kafka:start|stop|status`: the local development broker (port KAFKA_PORT, default 9092,
 * data under .finmesh/kafka). Tests use their own broker on another port; see tools/testing.
 */
const port = Number.parseInt(process.env['KAFKA_PORT'] ?? '9092', 10);
const dataDir = resolve(process.env['KAFKA_DATA_DIR'] ?? join(__dirname, '..', '..', '..', '.finmesh', 'kafka'));
const log = (line: string): void => console.log(line);

async function main(command: string | undefined): Promise<void> {
  switch (command) {
    case 'start': {
      const handle = await ensureBroker({ port, dataDir, log });
      console.log(`KAFKA_BROKERS=${handle.brokers}`);
      return;
    }
    case 'stop':
      await stopBroker({ port, dataDir, log });
      return;
    case 'status': {
      const status = await brokerStatus({ port, dataDir });
      console.log(JSON.stringify({ port, dataDir, ...status }));
      return;
    }
    default:
      console.error('usage: kafka start|stop|status  (env: KAFKA_PORT, KAFKA_DATA_DIR)');
      process.exitCode = 2;
  }
}

main(process.argv[2]).catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
