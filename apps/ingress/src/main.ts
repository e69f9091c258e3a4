import { ConfigError, createLogger } from '@finmesh/service-runtime';
import { loadIngressConfig } from './config';
import { startIngress } from './ingress-app';

/** `node tools/run-ts.cjs apps/ingress/src/main.ts` — configuration comes from the environment. */
// kafkajs warns at every start that its default partitioner changed in v2; finmesh has always used v2's.
process.env['KAFKAJS_NO_PARTITIONER_WARNING'] ??= '1';

async function main(): Promise<void> {
  const config = loadIngressConfig();
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

main().catch((error: unknown) => {
  const log = createLogger({ service: 'ingress', level: 'info' });
  if (error instanceof ConfigError) log.fatal({ problems: error.problems }, error.message);
  else log.fatal({ err: error }, 'the ingress could not start');
  process.exitCode = 1;
});
