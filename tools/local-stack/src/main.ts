import { resolve } from 'node:path';
import { parseStackOptions } from './cli-options';
import { runStack } from './stack';

/**
 * `npm start`: the whole of finmesh on one machine — Kafka (tools/kafka, or KAFKA_BROKERS),
 * PostgreSQL (DATABASE_URL, the local server, or an embedded one), topics, databases and
 * migrations, the provider sandbox and every service of tools/local-stack/src/service-registry.ts,
 * with a live view until Ctrl-C. `npm start -- --help` lists the options.
 */
const WORKSPACE_ROOT = resolve(__dirname, '..', '..', '..');

async function main(): Promise<void> {
  // A closed stdout (a pipe whose reader went away on Ctrl-C) must not cut the shutdown short.
  process.stdout.on('error', () => undefined);
  const argv = process.argv.slice(2);
  if (argv.includes('--help')) {
    const { USAGE } = await import('./cli-options');
    console.log(USAGE);
    return;
  }
  process.exitCode = await runStack(parseStackOptions(argv, WORKSPACE_ROOT));
}

main().catch((error: unknown) => {
  console.error(`[finmesh] ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
